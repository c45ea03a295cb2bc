"""Analytic queueing oracles that the storage simulator is checked against.

What ESX part this imitates: none directly. These are the textbook formulas for the pieces of the
storage path once it is stripped to its queueing skeleton: a LUN served by one spindle (M/M/1),
a LUN striped over several spindles that take the next command from one queue (M/M/c, Erlang C),
and IOmeter's "N outstanding I/Os" workload, which is a closed loop (exact mean value analysis).

Formulas (textbook queueing theory; references.md lists the storage sources):
  M/M/1  rho = lambda/mu, W = 1/(mu - lambda), Wq = rho/(mu - lambda), L = rho/(1 - rho)
  M/M/c  a = lambda/mu, rho = a/c, C(c, a) = Erlang C, Wq = C/(c*mu - lambda), W = Wq + 1/mu,
         L = lambda * W
  MVA    R_k(n) = D_k (1 + Q_k(n-1)), X(n) = n / (Z + sum_k R_k(n)), Q_k(n) = X(n) R_k(n)
         (Reiser & Lavenberg, JACM 1980)

Units are whatever the caller uses, as long as they agree (rates per second with times in
seconds, or rates per millisecond with times in milliseconds).

Unstable input (utilisation >= 1 in an open queue) does NOT raise: the result comes back with
``stable=False`` and infinite response time, waiting time and queue lengths, so a lab can show
"latency grows without bound". Non-positive rates, fewer than one server or customer, and
negative times raise ``ValueError``.

Left out: finite buffers (M/M/c/K), priorities, general service distributions (M/G/1), and
multi-server or load-dependent stations in MVA (every MVA station is one FCFS server).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

_RHO_EPS = 1e-12  # 0.3/0.1/3 is 0.9999999999999999 in floating point: still saturated

__all__ = ["MM1Result", "MMcResult", "MVAResult", "erlang_c", "mm1", "mmc", "mva"]


@dataclass(frozen=True)
class MM1Result:
    """Steady state of an M/M/1 queue (one server, Poisson arrivals, exponential service)."""

    arrival_rate: float
    service_rate: float
    utilisation: float  # rho = arrival_rate / service_rate
    response_time: float  # W, time in system (waiting + service)
    waiting_time: float  # Wq, time in queue before service starts
    mean_in_system: float  # L
    mean_in_queue: float  # Lq
    stable: bool  # False when utilisation >= 1: the times and lengths are infinite


@dataclass(frozen=True)
class MMcResult:
    """Steady state of an M/M/c queue (c servers sharing one FIFO queue)."""

    arrival_rate: float
    service_rate: float  # per server
    servers: int
    utilisation: float  # rho = arrival_rate / (servers * service_rate)
    prob_wait: float  # Erlang C: probability that an arrival has to queue
    response_time: float
    waiting_time: float
    mean_in_system: float
    mean_in_queue: float
    stable: bool


@dataclass(frozen=True)
class MVAResult:
    """Exact MVA solution of a closed loop of single-server FCFS stations plus a think time."""

    customers: int  # N, e.g. outstanding I/Os
    think_time: float  # Z
    throughput: float  # X, customers completing a cycle per time unit
    response_time: float  # R = sum of residence times (excludes think time)
    residence_times: tuple[float, ...]  # R_k, wait + service at each station per cycle
    queue_lengths: tuple[float, ...]  # Q_k, mean customers at each station
    utilisations: tuple[float, ...]  # U_k = X * D_k

    @property
    def waiting_time(self) -> float:
        """Time per cycle spent queueing (response time minus the service demands)."""
        return self.response_time - sum(u / self.throughput for u in self.utilisations)

    @property
    def mean_in_system(self) -> float:
        """Customers at the stations (not thinking): N - X*Z = X*R by Little's law."""
        return sum(self.queue_lengths)


def _positive(name: str, value: float) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def mm1(arrival_rate: float, service_rate: float) -> MM1Result:
    """M/M/1 mean values. Example: mm1(5, 8).waiting_time == 5/24 (0.2083)."""
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    rho = lam / mu
    if rho >= 1 - _RHO_EPS:
        inf = math.inf
        return MM1Result(lam, mu, rho, inf, inf, inf, inf, stable=False)
    w = 1 / (mu - lam)
    wq = rho / (mu - lam)
    return MM1Result(lam, mu, rho, w, wq, rho / (1 - rho), lam * wq, stable=True)


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability of queueing in M/M/c with offered load a = lambda/mu (requires a < c).

    Computed with the Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)), which stays accurate for
    hundreds of servers, then C = c B / (c - a (1 - B)).
    """
    if not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer >= 1, got {servers!r}")
    a = _positive("offered_load", offered_load)
    if a >= servers:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    return servers * b / (servers - a * (1 - b))


def mmc(arrival_rate: float, service_rate: float, servers: int) -> MMcResult:
    """M/M/c mean values (Erlang C). Example: mmc(0.2, 0.1, 3).waiting_time == 40/9 (4.444)."""
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    if not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer >= 1, got {servers!r}")
    a = lam / mu
    rho = a / servers
    if rho >= 1 - _RHO_EPS:
        inf = math.inf
        return MMcResult(lam, mu, servers, rho, 1.0, inf, inf, inf, inf, stable=False)
    c = erlang_c(servers, a)
    wq = c / (servers * mu - lam)
    w = wq + 1 / mu
    return MMcResult(lam, mu, servers, rho, c, w, wq, lam * w, lam * wq, stable=True)


def mva(service_times: Sequence[float], customers: int, think_time: float = 0.0) -> MVAResult:
    """Exact mean value analysis of a closed loop.

    ``service_times`` are the service demands D_k per cycle at each single-server FCFS station
    (visit ratio times mean service time); ``customers`` is the population N (for storage: the
    outstanding I/Os); ``think_time`` Z is a pure delay between a completion and the next issue.
    With one station and Z = 0 the answer is X = 1/S and R = N*S.
    """
    demands = [float(d) for d in service_times]
    if not demands:
        raise ValueError("service_times must list at least one station's service demand")
    for k, d in enumerate(demands):
        if not (math.isfinite(d) and d >= 0):
            raise ValueError(f"service_times[{k}] must be a finite number >= 0, got {d!r}")
    if not isinstance(customers, int) or customers < 1:
        raise ValueError(f"customers must be an integer >= 1, got {customers!r}")
    if not (math.isfinite(think_time) and think_time >= 0):
        raise ValueError(f"think_time must be a finite number >= 0, got {think_time!r}")
    if sum(demands) == 0 and think_time == 0:
        raise ValueError("at least one service time or the think time must be > 0")
    queues = [0.0] * len(demands)
    x = 0.0
    residence = demands
    for n in range(1, customers + 1):
        residence = [d * (1 + q) for d, q in zip(demands, queues, strict=True)]
        x = n / (think_time + sum(residence))
        queues = [x * r for r in residence]
    return MVAResult(
        customers=customers,
        think_time=float(think_time),
        throughput=x,
        response_time=sum(residence),
        residence_times=tuple(residence),
        queue_lengths=tuple(queues),
        utilisations=tuple(x * d for d in demands),
    )
