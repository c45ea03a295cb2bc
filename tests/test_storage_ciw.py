"""Peer check: the same open M/M/c run in Ciw (an independent discrete-event simulator) and in
vlab agree within their confidence intervals, and both bracket Erlang C."""
from __future__ import annotations

import math
import statistics

import ciw
from test_storage import run

from vlab.models.storage.queueing import mmc

SERVERS = 3
S_MS = 5.0
RHO = 0.7
LAMBDA_PER_MS = RHO * SERVERS / S_MS
CUSTOMERS = 80_000
BATCHES = 30
T_99 = 2.756  # Student t, 0.995 quantile, 29 degrees of freedom


def ciw_response_times_ms(customers: int, seed: int) -> list[float]:
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAMBDA_PER_MS)],
        service_distributions=[ciw.dists.Exponential(rate=1 / S_MS)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    warmup = 2_000
    sim.simulate_until_max_customers(warmup + customers, method="Finish")
    records = sorted(sim.get_all_records(), key=lambda r: r.arrival_date)
    return [r.waiting_time + r.service_time for r in records[warmup:warmup + customers]]


def batch_ci(samples: list[float]) -> tuple[float, float]:
    size = len(samples) // BATCHES
    means = [statistics.fmean(samples[i * size:(i + 1) * size]) for i in range(BATCHES)]
    return statistics.fmean(means), T_99 * statistics.stdev(means) / math.sqrt(BATCHES)


def test_vlab_and_ciw_agree_on_open_mmc():
    theory = mmc(LAMBDA_PER_MS, 1 / S_MS, SERVERS).response_time
    peer_mean, peer_half = batch_ci(ciw_response_times_ms(CUSTOMERS, seed=7))
    ours = run(arrival_rate_per_vm=LAMBDA_PER_MS * 1000, service_ms=S_MS, spindles=SERVERS,
               link_gbps=None, ios=CUSTOMERS, batches=BATCHES, seed=7)
    lo, hi = ours.gavg_ci_ms
    our_half = (hi - lo) / 2
    # each interval is tight and holds the analytic value ...
    assert peer_half / peer_mean < 0.05 and our_half / ours.gavg_ms < 0.05
    assert abs(peer_mean - theory) <= peer_half
    assert lo <= theory <= hi
    # ... and the two simulators agree within the combined interval of their difference
    assert abs(ours.gavg_ms - peer_mean) <= math.hypot(our_half, peer_half)
