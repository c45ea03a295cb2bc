"""Binary translation against what "on demand" and "subsetting" mean: one translation per distinct kernel
block executed, none for user code or code never run, no sensitive instruction left in the output."""
from __future__ import annotations

import math

import pytest

from vlab.models.vmkernel.binary_translation import SENSITIVE, Block, guest_code, run, translate


def test_one_translation_per_distinct_kernel_block_that_ran():
    code = guest_code(80, seed=1)
    r = run(code, 3000, seed=1)
    kernel = {b.number for b in code if b.kernel}
    ran_kernel = [n for n in r.trace if n in kernel]
    assert r.tc_misses == len(set(ran_kernel))  # a miss for each distinct kernel block, the first time
    assert [t.block for t in r.translations] == list(dict.fromkeys(ran_kernel))  # in first-run order
    assert r.tc_misses + r.tc_hits == r.kernel_runs
    assert r.kernel_runs + r.direct_runs == 3000
    kernel_numbers = {b.number for b in code if b.kernel}
    translated = [t.block for t in r.translations]
    assert len(translated) == len(set(translated))  # never translated twice
    assert set(translated) <= kernel_numbers  # user code is never translated


def test_on_demand_leaves_cold_code_untranslated():
    code = guest_code(200, kernel_fraction=1.0, seed=2)
    r = run(code, 100, hot_skew=1.5, seed=2)
    ran = set(r.trace)
    translated = {t.block for t in r.translations}
    assert translated == ran  # on demand: exactly the blocks that were about to run, nothing ahead
    cold = {b.number for b in code} - ran
    assert len(cold) >= len(code) - 100  # 100 executions reach at most 100 of the 200 blocks
    # How many get translated: occupancy of a Zipf law (block k picked with weight 1/k^1.5).
    # Block k is missed by all 100 executions with q_k = (1 - p_k)^100, so E[misses] =
    # sum(1 - q_k) ~ 25 of 200 (a uniform pick would translate ~79). The hits on different
    # blocks are negatively correlated, so sum(q_k (1 - q_k)) bounds the variance; allow 4
    # sigma (checked over 40 seeds: |z| <= 1.8).
    weights = [1 / (k + 1) ** 1.5 for k in range(len(code))]
    missed = [(1 - w / sum(weights)) ** 100 for w in weights]
    expected = sum(1 - q for q in missed)
    sigma = math.sqrt(sum(q * (1 - q) for q in missed))
    assert abs(r.tc_misses - expected) <= 4 * sigma, (r.tc_misses, expected, sigma)
    # and each translation is its own block, instruction for instruction
    by_number = {b.number: b for b in code}
    for t in r.translations:
        insns = by_number[t.block].instructions
        assert len(t.output) == len(insns)
        assert [o.removeprefix("IDENT ") for o in t.output if o.startswith("IDENT")] == [
            i for i in insns if i not in SENSITIVE]
        assert t.callouts == sum(i in SENSITIVE for i in insns)


def test_hit_rate_equals_one_minus_distinct_over_runs_and_grows():
    code = guest_code(40, kernel_fraction=1.0, seed=3)
    r = run(code, 2000, seed=3)
    assert r.hit_rate == pytest.approx(1 - r.tc_misses / r.kernel_runs)
    assert r.hit_rate_curve[-1] > r.hit_rate_curve[len(r.hit_rate_curve) // 10] > r.hit_rate_curve[0]
    assert r.hit_rate_curve[0] == 0.0  # the very first run is always a miss


def test_translation_keeps_safe_instructions_and_replaces_sensitive_ones():
    block = Block(0, ("mov", "cli", "add", "mov cr3", "popf"), kernel=True)
    t = translate(block)
    assert t.output == ("IDENT mov", "CALLOUT emulate_cli", "IDENT add", "CALLOUT emulate_mov_cr3",
                        "CALLOUT emulate_popf")
    assert t.callouts == 3
    for b in guest_code(100, kernel_fraction=1.0, sensitive_per_block=1.0, seed=4):
        out = translate(b).output
        assert not any(o.split(" ", 1)[1] in SENSITIVE for o in out if o.startswith("IDENT"))


@pytest.mark.parametrize("call", [lambda: guest_code(0), lambda: guest_code(5, kernel_fraction=2),
                                  lambda: run([], 10), lambda: run(guest_code(5), 0),
                                  lambda: run(guest_code(5), 10, hot_skew=-1)])
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()
