"""How long lab 01's two panels take to recompute after a slider move, against building an empty plotly
figure in the same run (the floor any panel pays).

Goal: under 0.1 s per recompute. Run: `.venv/bin/python benchmarks/bench_vmkernel_panel.py`.
"""
from __future__ import annotations

import timing  # benchmarks/timing.py, beside this script

RUNS = 20  # slider moves measured; the median hides one slow redraw
GOAL_S = 0.1



def median_s(action, runs: int = RUNS) -> float:
    return timing.median_s(action, runs)


def main() -> int:
    import plotly.graph_objects as go

    from vlab.widgets.vmkernel_panel import CpuSchedPanel, PageSharingPanel

    cpu, tps = CpuSchedPanel(), PageSharingPanel()
    base = median_s(lambda i: go.Figure(go.Bar(x=[1], y=[1])))

    def move_cpu(i: int) -> None:
        cpu.vms.value = 2 + i % 11  # up to 12 VMs

    def move_tps(i: int) -> None:
        tps.fraction.value = round(0.05 * (i % 20), 2)

    results = {"CPU panel (vms slider)": median_s(move_cpu), "TPS panel (fraction slider)": median_s(move_tps)}
    print(f"baseline: empty plotly figure {base * 1000:.1f} ms")
    for name, seconds in results.items():
        verdict = "ok" if seconds < GOAL_S else "SLOW"
        print(f"{name:30} {seconds * 1000:6.1f} ms  ({seconds / base:5.1f} x baseline)  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
