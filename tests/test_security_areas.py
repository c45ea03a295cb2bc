"""Lab 07: the hyperthread panel and the multi-tenant host checker."""
from __future__ import annotations

from vlab.exercises.security_areas import STARTING_TEXT, check_tenant_host, tenant_host_checker
from vlab.learn.progress import ProgressStore
from vlab.widgets.security_panel import HyperthreadPanel, sharing_results

SCAV2 = """VMkernel.Boot.hyperthreadingMitigation = TRUE
VMkernel.Boot.hyperthreadingMitigationIntraVM = FALSE
Mem.ShareForceSalting = 2
UserVars.SuppressHyperthreadWarning = 0
"""


def test_starting_host_fails_and_scav2_passes():
    assert [c.passed for c in check_tenant_host(STARTING_TEXT)] == [False, True, False, False]
    assert all(c.passed for c in check_tenant_host(SCAV2))


def test_scav1_is_safe_but_costs_too_much_capacity():
    scav1 = SCAV2.replace("IntraVM = FALSE", "IntraVM = TRUE")
    safe, capacity, *_ = check_tenant_host(scav1)
    assert safe.passed and not capacity.passed and "SCAv2" in capacity.hint


def test_malformed_settings_are_explained():
    checker = tenant_host_checker(store=ProgressStore(learner="t"))
    checker.work.value = SCAV2.replace("= TRUE", "= maybe", 1)
    assert not checker.check().passed
    assert "TRUE or FALSE" in checker.results.value


def test_panel_runs_one_result_per_policy_and_reacts():
    results = sharing_results(8, 4, 2, 1.0)
    assert [r.policy for r in results] == ["default", "scav1", "scav2"]
    assert results[1].placed == 8 and results[2].placed == 8 and results[0].placed == 8
    panel = HyperthreadPanel()
    panel.vms.value = 1  # one VM: nobody to share a core with
    assert panel.figure.data[0].y[0] == 0


def test_the_checker_hints_name_the_idea_before_the_setting():
    for c in check_tenant_host(STARTING_TEXT):
        if not c.passed:
            assert "=" not in c.hint_at(1) + c.hint_at(2), c.hint_at(2)
            assert " = " in c.hint_at(3)


def test_the_write_probe_is_slow_exactly_when_another_customer_shares_the_page():
    from vlab.exercises.security_areas import _PROBE_PAGE, check_tps_probe, tenant_vms, write_probe
    from vlab.models.vmkernel.memory import Host

    for salting, salts, shared in ((0, {}, True), (1, {}, True), (2, {}, False),
                                   (1, {"shop1": "a", "shop2": "a"}, False),
                                   (2, {"shop1": "a", "shop2": "a", "bank1": "a"}, True)):
        host = Host.boot(tenant_vms(salts), salting)
        host.scan()
        # the oracle: how many guest pages the probe page's machine page backs, before anyone writes
        mpn = next(m for m in host.pmap["bank1"] if host.frames[m].contents == _PROBE_PAGE)
        assert (host.frames[mpn].refs > 1) is shared, (salting, salts)
        assert write_probe(host, "bank1", _PROBE_PAGE) is shared
    learner = Host.boot(tenant_vms({"shop1": "a", "shop2": "a"}), 2)
    assert all(c.passed for c in check_tps_probe(learner))
    assert learner.cow_breaks == 0 and learner.stats().shared_machine_pages == 0  # the check left it unscanned


def test_scav1_cost_shows_once_vcpus_outnumber_cores_and_scav2_needs_pairs():
    from vlab.exercises.security_areas import check_scav1_cost

    def passed(tenants):
        return [c.passed for c in check_scav1_cost(tenants)]

    assert passed([2, 2, 2, 2]) == [False, True]  # 8 vCPUs on 8 cores: one each
    assert passed([2] * 8) == [True, True]  # 16 vCPUs: SCAv1 runs 8, SCAv2 pairs all 16
    assert passed([1] * 16) == [True, False]  # no partner within a VM: SCAv2 runs 8 as well
    assert passed([4] * 5) == [True, False]  # 20 vCPUs do not fit on 16 threads
