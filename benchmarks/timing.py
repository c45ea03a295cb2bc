"""Shared by the panel benchmarks: the median wall time of an action repeated `runs` times."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_s(action: Callable[[int], object], runs: int) -> float:
    """Median seconds of `action(i)` for i in range(runs); the median hides one slow redraw."""
    times = []
    for i in range(runs):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
