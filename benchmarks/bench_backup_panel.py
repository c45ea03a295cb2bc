"""How long lab 06's backup panel takes to recompute after a slider move, against building an empty
plotly figure in the same run (the floor any panel pays).

Goal: under 0.1 s per recompute. Also times the restore drill (`drill_rows`), which runs on the
datastore model block by block. Run: `.venv/bin/python benchmarks/bench_backup_panel.py`.
"""
from __future__ import annotations

import timing  # benchmarks/timing.py, beside this script

RUNS = 30  # slider moves measured; the median hides one slow redraw
GOAL_S = 0.1



def median_s(action, runs: int = RUNS) -> float:
    return timing.median_s(action, runs)


def main() -> int:
    import plotly.graph_objects as go

    from vlab.models.datastore.backup import DrillScenario
    from vlab.widgets.backup_panel import BackupPanel, drill_rows

    panel = BackupPanel()
    baseline = median_s(lambda i: go.Figure(data=[{"type": "bar", "x": [1], "y": [i]}]).to_json())
    recompute = median_s(lambda i: setattr(panel.vm_count, "value", 1 + i % 40))
    drill = median_s(lambda i: drill_rows(DrillScenario()), runs=3)
    print(f"empty plotly figure (baseline): {baseline * 1000:7.1f} ms")
    print(f"panel recompute (slider move):  {recompute * 1000:7.1f} ms  = {recompute / baseline:5.1f} x baseline"
          f"  (goal < {GOAL_S * 1000:.0f} ms: {'ok' if recompute < GOAL_S else 'SLOW'})")
    print(f"restore drill, 3 options:       {drill * 1000:7.1f} ms  = {drill / baseline:5.1f} x baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
