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
