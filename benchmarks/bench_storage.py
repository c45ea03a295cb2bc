"""Speed of the storage-path simulator, against Ciw and a bare simpy loop, measured in one run.

Covers: simulated I/Os per wall-second for the same open M/M/1 run (rho = 0.8, S = 5 ms) in
vlab.models.storage.simulation and in Ciw; a bare simpy loop that processes as many events as vlab's run did
(simpy's floor: what any simpy model of this run must pay); and the wall time of the default
panel recompute a lab makes (goal: under 0.5 s).
Run: `.venv/bin/python benchmarks/bench_storage.py`.
"""
from __future__ import annotations

import random
import statistics
import sys
import time

import ciw
import simpy

import vlab.models.storage.simulation as storage

IOS = 100_000  # completed I/Os per run
RUNS = 3  # the median of three hides one slow run
LAMBDA_PER_S = 160.0
SERVICE_MS = 5.0
PANEL_GOAL_S = 0.5


def median_s(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def vlab_run() -> None:
    storage.simulate(arrival_rate_per_vm=LAMBDA_PER_S, service_ms=SERVICE_MS, link_gbps=None,
                     ios=IOS, warmup_ios=0, seed=1)


def vlab_event_count() -> int:
    """Events vlab's simpy environment processed in one run (simpy's own event counter)."""
    envs = []
    original = storage.StoragePath

    class Counting(original):
        def __init__(self, p):
            super().__init__(p)
            envs.append(self.env)

    storage.StoragePath = Counting
    try:
        vlab_run()
    finally:
        storage.StoragePath = original
    return next(envs[0]._eid)  # simpy numbers every scheduled event; internal but stable


def ciw_run() -> None:
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAMBDA_PER_S / 1000)],
        service_distributions=[ciw.dists.Exponential(rate=1 / SERVICE_MS)],
        number_of_servers=[1],
    )
    ciw.seed(1)
    ciw.Simulation(network).simulate_until_max_customers(IOS, method="Finish")


def bare_simpy_run(events: int) -> None:
    env = simpy.Environment()
    rng = random.Random(1)

    def loop():
        for _ in range(events):
            yield env.timeout(rng.expovariate(1.0))

    env.process(loop())
    env.run()


def panel_recompute() -> None:
    """What lab 09's panel does when a slider moves, with its default settings (pure functions only)."""
    from vlab.widgets.storage_panel import (
        PanelSettings,
        esxtop_table,
        latency_bars_figure,
        latency_histogram_figure,
        run_settings,
    )

    settings = PanelSettings()
    result = run_settings(settings)
    esxtop_table(result, settings).to_html()
    latency_bars_figure([result], ["this design"])
    latency_histogram_figure(result.latencies_ms)


def main() -> int:
    events = vlab_event_count()
    t_bare = median_s(lambda: bare_simpy_run(events))
    t_vlab = median_s(vlab_run)
    t_ciw = median_s(ciw_run)
    t_panel = median_s(panel_recompute)
    t_sweep = median_s(lambda: storage.sweep("outstanding_per_vm", [1, 2, 4, 8, 16, 32, 48, 64],
                                             hosts=1, vms_per_host=1, ios=2000, seed=1))
    print(f"open M/M/1, rho 0.8, {IOS} I/Os, median of {RUNS} runs; vlab run = {events} events")
    print(f"bare simpy loop  {IOS / t_bare:10.0f} I/O-equivalents/s  (baseline: same event count)")
    print(f"vlab simulate    {IOS / t_vlab:10.0f} I/Os/s  = {t_bare / t_vlab:.2f} x bare simpy")
    print(f"ciw              {IOS / t_ciw:10.0f} I/Os/s  = {t_bare / t_ciw:.2f} x bare simpy"
          f"  (vlab = {t_ciw / t_vlab:.1f} x ciw)")
    print(f"default panel recompute {t_panel * 1000:6.1f} ms  (lab 09's StoragePanel defaults: "
          "simulation, esxtop table, two figures)"
          f"  goal < {PANEL_GOAL_S * 1000:.0f} ms: {'met' if t_panel < PANEL_GOAL_S else 'NOT met'}")
    print(f"8-point outstanding sweep, 2000 I/Os each {t_sweep * 1000:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
