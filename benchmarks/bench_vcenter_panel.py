"""How long lab 04's vCenter panel takes to recompute after a slider move, against building an empty
plotly figure in the same run (the floor any panel pays).

Goal: under 0.1 s per recompute, also at the sliders' largest cluster (8 hosts, 40 VMs, aggressive
DRS, a failed host). Run: `.venv/bin/python benchmarks/bench_vcenter_panel.py`.
"""
from __future__ import annotations

import timing  # benchmarks/timing.py, beside this script

RUNS = 30  # slider moves measured; the median hides one slow redraw
GOAL_S = 0.1



def median_s(action, runs: int = RUNS) -> float:
    return timing.median_s(action, runs)


def main() -> int:
    import plotly.graph_objects as go

    from vlab.widgets.vcenter_panel import VcenterPanel, cluster_view

    panel = VcenterPanel()
    baseline = median_s(lambda i: go.Figure(data=[{"type": "bar", "x": [1], "y": [i]}]).to_json())
    recompute = median_s(lambda i: setattr(panel.vms, "value", 4 + i % 37))
    largest = median_s(lambda i: cluster_view(hosts=8, vms=40, threshold=5, failed_host=1 + i % 8,
                                              admission_control=i % 2 == 0), runs=10)
    print(f"empty plotly figure (baseline):   {baseline * 1000:7.1f} ms")
    print(f"panel recompute (VMs slider):     {recompute * 1000:7.1f} ms  = {recompute / baseline:5.1f} x "
          f"baseline  (goal < {GOAL_S * 1000:.0f} ms: {'ok' if recompute < GOAL_S else 'SLOW'})")
    print(f"model only, 8 hosts x 40 VMs:     {largest * 1000:7.1f} ms  = {largest / baseline:5.1f} x baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
