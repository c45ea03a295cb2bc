"""How long `vlab explain vswp` takes as a whole process, against `python -c pass` in the same run.

A look-up must feel instant (goal: under 0.2 s here), so the CLI keeps pandas, ipywidgets and plotly out of
its import path. Run: `.venv/bin/python benchmarks/bench_explain.py` (or `make bench`).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15  # process launches per command; the median hides one slow start
VLAB = str(Path(sys.executable).with_name("vlab"))
GOAL_S = 0.2


def median_wall_s(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    # pip byte-compiles an installed wheel; do the same here even where PYTHONDONTWRITEBYTECODE is set.
    import compileall

    import vlab

    compileall.compile_dir(Path(vlab.__file__).parent, quiet=1)
    baseline = median_wall_s([sys.executable, "-c", "pass"])
    explain = median_wall_s([VLAB, "explain", "vswp"])
    heavy = subprocess.run(
        [sys.executable, "-c",
         "import sys; from vlab.cli.main import main; main(['explain','vswp']);"
         "print(sorted(x for x in ('pandas','plotly','ipywidgets','simpy','yaml') if x in sys.modules),"
         " file=sys.stderr)"],
        capture_output=True, text=True, check=True,
    ).stderr.strip()
    print(f"python -c pass      median {baseline * 1000:7.1f} ms  (baseline, {RUNS} runs)")
    print(f"vlab explain vswp   median {explain * 1000:7.1f} ms  = {explain / baseline:.1f} x baseline")
    print(f"heavy modules imported by explain: {heavy}")
    print(f"goal < {GOAL_S * 1000:.0f} ms: {'met' if explain < GOAL_S else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
