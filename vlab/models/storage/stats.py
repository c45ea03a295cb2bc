"""Statistics of a storage run's latencies: percentiles and batch-means confidence intervals.

What it imitates: how esxtop and vCenter summarise latency. esxtop shows averages per interval,
and an average hides outliers (Broadcom KB 309140); percentiles show them. The batch-means
interval says how far a simulated mean can be trusted (successive I/Os' latencies are
correlated, so a plain standard error would be too optimistic).
Left out: esxtop's sampling intervals and histograms per device.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LatencySummary", "batch_means_ci", "latency_summary", "t_quantile"]


@dataclass(frozen=True)
class LatencySummary:
    """Mean and nearest-rank percentiles of a set of latencies (ms)."""

    count: int
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def latency_summary(latencies_ms: Sequence[float]) -> LatencySummary:
    """Mean and percentiles, to show how a mean hides outliers.

    Percentiles are nearest-rank: p95 is the smallest latency that at least 95 % of the commands
    did not exceed. Broadcom KB 309140: four 1 ms commands and one 500 ms command average
    100.8 ms, although the typical (p50) command took 1 ms.
    """
    if not latencies_ms:
        raise ValueError("latency_summary needs at least one latency")
    values = sorted(float(x) for x in latencies_ms)
    n = len(values)

    def rank(q: float) -> float:
        return values[max(0, math.ceil(q * n) - 1)]

    return LatencySummary(n, statistics.fmean(values), rank(0.50), rank(0.95), rank(0.99),
                          values[-1])


def batch_means_ci(samples: list[float], batches: int, level: float = 0.99) -> tuple[float, float]:
    """Confidence interval of the mean from non-overlapping batch means (Student t)."""
    size = len(samples) // batches
    means = [statistics.fmean(samples[i * size:(i + 1) * size]) for i in range(batches)]
    centre = statistics.fmean(means)
    half = t_quantile((1 + level) / 2, batches - 1) * statistics.stdev(means) / math.sqrt(batches)
    return centre - half, centre + half


def t_quantile(p: float, df: int) -> float:
    """Student t quantile by the Cornish-Fisher expansion (error < 1e-3 for df >= 10)."""
    z = statistics.NormalDist().inv_cdf(p)
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3))
