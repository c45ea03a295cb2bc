"""The analytic oracles against hand-computed textbook values (storage-facts.md section 5)."""
from __future__ import annotations

import math

import pytest

from vlab.models.storage.queueing import erlang_c, mm1, mmc, mva


def test_mm1_textbook_lambda5_mu8():
    r = mm1(5, 8)
    assert r.utilisation == pytest.approx(5 / 8)
    assert r.waiting_time == pytest.approx(5 / 24)  # 0.2083
    assert r.response_time == pytest.approx(1 / 3)  # 0.3333
    assert r.mean_in_system == pytest.approx((5 / 8) / (3 / 8))
    assert r.mean_in_system == pytest.approx(r.arrival_rate * r.response_time)  # Little
    assert r.stable


@pytest.mark.parametrize(
    ("util", "iops", "resp_ms"),
    [(0.5, 91, 11), (0.7, 127, 18.3), (0.8, 145, 27.5), (0.9, 164, 55), (0.95, 173, 110)],
)
def test_spindle_as_mm1_table(util, iops, resp_ms):
    service_rate = 1000 / 5.5  # a 15K spindle, 5.5 ms per I/O
    r = mm1(util * service_rate, service_rate)
    assert r.arrival_rate == pytest.approx(iops, abs=0.6)
    assert r.response_time * 1000 == pytest.approx(resp_ms, rel=0.005)


def test_mmc_textbook_three_servers():
    r = mmc(0.2, 0.1, 3)
    assert r.prob_wait == pytest.approx(4 / 9)
    assert r.waiting_time == pytest.approx(40 / 9)  # 4.444
    assert r.response_time == pytest.approx(40 / 9 + 10)
    assert r.mean_in_queue == pytest.approx(0.8889, abs=1e-4)
    assert r.mean_in_system == pytest.approx(2.8889, abs=1e-4)
    # the closed form L = rho/(1-rho) C + c rho from the reference
    rho = 2 / 3
    assert r.mean_in_system == pytest.approx(rho / (1 - rho) * (4 / 9) + 3 * rho)


def test_mmc_with_one_server_is_mm1():
    a, b = mmc(3, 4, 1), mm1(3, 4)
    assert a.response_time == pytest.approx(b.response_time)
    assert a.prob_wait == pytest.approx(b.utilisation)  # P(wait) = rho for one server


def test_erlang_c_direct_formula_many_servers():
    # Direct textbook sum for c = 10, a = 8, compared with the recursion used in the module.
    c, a = 10, 8.0
    top = a**c / math.factorial(c) * c / (c - a)
    bottom = sum(a**k / math.factorial(k) for k in range(c)) + top
    assert erlang_c(c, a) == pytest.approx(top / bottom, rel=1e-12)


def test_unstable_is_flagged_not_raised():
    for r in (mm1(8, 8), mm1(9, 8), mmc(0.3, 0.1, 3)):
        assert not r.stable
        assert r.utilisation == pytest.approx(1) or r.utilisation > 1
        assert math.isinf(r.response_time) and math.isinf(r.mean_in_system)


@pytest.mark.parametrize(
    "call",
    [lambda: mm1(0, 1), lambda: mm1(1, -2), lambda: mmc(1, 1, 0), lambda: mmc(1, 1, 1.5),
     lambda: mva([], 3), lambda: mva([1.0], 0), lambda: mva([-1.0], 2), lambda: mva([1.0], 2, -1)],
)
def test_bad_input_raises_valueerror(call):
    with pytest.raises(ValueError, match="must|at least"):
        call()


def test_mva_single_server_no_think_time():
    for n in (1, 4, 32):
        r = mva([5.0], n)
        assert r.throughput == pytest.approx(1 / 5.0)
        assert r.response_time == pytest.approx(n * 5.0)
        assert r.queue_lengths[0] == pytest.approx(n)


def test_mva_machine_repairman_hand_computed():
    # One server S = 1, Z = 1, N = 2. Hand MVA: n=1: R=1, X=1/2, Q=1/2; n=2: R=1.5, X=2/2.5=0.8.
    r = mva([1.0], 2, think_time=1.0)
    assert r.response_time == pytest.approx(1.5)
    assert r.throughput == pytest.approx(0.8)
    assert r.mean_in_system == pytest.approx(2 - 0.8 * 1.0)  # N - X Z


def test_mva_two_stations_hand_computed():
    # D = (2, 1), N = 2. n=1: R=(2,1), X=1/3, Q=(2/3,1/3). n=2: R=(2*5/3, 1*4/3)=(10/3,4/3),
    # X = 2/(14/3) = 3/7.
    r = mva([2.0, 1.0], 2)
    assert r.residence_times == pytest.approx((10 / 3, 4 / 3))
    assert r.throughput == pytest.approx(3 / 7)
    assert r.utilisations == pytest.approx((6 / 7, 3 / 7))
    assert r.waiting_time == pytest.approx(14 / 3 - 3)


def test_mva_bounds_asymptotes():
    # Large N: X -> 1/D_max (bottleneck law); small N: X ~ N/(D_total + Z).
    r = mva([4.0, 1.0, 2.0], 200, think_time=10.0)
    assert r.throughput == pytest.approx(1 / 4.0, rel=1e-6)
    assert mva([4.0, 1.0, 2.0], 1, think_time=10.0).throughput == pytest.approx(1 / 17)
