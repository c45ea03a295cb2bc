"""Lab 07's checker: configure a multi-tenant host against the side channels the notes worry about.

The learner edits ESXi host settings (`key = value`). The check runs the hyperthread model with the policy the
settings select, so "no two tenants share a core" is measured, not asserted.
"""
from __future__ import annotations

from vlab.formats import parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.vmkernel.ht_sharing import policy_from_settings, simulate_sharing

LAB = "07_security_areas"
TENANTS = [4, 4, 2, 2, 4]  # vCPUs of the five tenants' VMs: 16 vCPUs on 8 cores (16 threads)
CORES = 8
MIN_THREADS_USED = 0.8  # of the default policy's running vCPUs: keep most of the capacity

STARTING_TEXT = """# esx02: a host shared by five customers
VMkernel.Boot.hyperthreadingMitigation = FALSE
VMkernel.Boot.hyperthreadingMitigationIntraVM = TRUE
Mem.ShareForceSalting = 0
UserVars.SuppressHyperthreadWarning = 1
"""


def _bool(settings, key: str) -> bool:
    value = (settings.get(key) or "").strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"{key} must be TRUE or FALSE, not '{settings.get(key)}'")
    return value == "true"


def check_tenant_host(text: str) -> list[Criterion]:
    settings = parse_dictfile(text, source="your settings")
    policy = policy_from_settings(_bool(settings, "VMkernel.Boot.hyperthreadingMitigation"),
                                  _bool(settings, "VMkernel.Boot.hyperthreadingMitigationIntraVM"))
    salting = settings.get_int("Mem.ShareForceSalting")
    suppress = settings.get_int("UserVars.SuppressHyperthreadWarning")
    if salting is None or suppress is None:
        raise ValueError("keep Mem.ShareForceSalting and UserVars.SuppressHyperthreadWarning as numbers")
    run = simulate_sharing(CORES, TENANTS, busy=0.8, policy=policy, slices=400, seed=0)
    baseline = simulate_sharing(CORES, TENANTS, busy=0.8, policy="default", slices=400, seed=0)
    kept = run.placed / baseline.placed
    return [
        Criterion(run.cross_vm_cores == 0,
                  f"Cores shared by two tenants at once: {run.cross_vm_cores:.2f} on average ({policy})",
                  "Turn on the side-channel-aware scheduler: VMkernel.Boot.hyperthreadingMitigation = TRUE."),
        Criterion(kept >= MIN_THREADS_USED,
                  f"Capacity kept: {kept:.0%} of the vCPUs that run without mitigation",
                  "SCAv1 stops using hyperthreads at all. SCAv2 (IntraVM = FALSE) lets a VM's own vCPUs "
                  "share a core and keeps more capacity."),
        Criterion(salting == 2, f"Mem.ShareForceSalting = {salting}",
                  "Salting 2 (the default since ESXi 6.0) limits page sharing to within a VM."),
        Criterion(suppress == 0, f"UserVars.SuppressHyperthreadWarning = {suppress}",
                  "Don't hide the host's warning that the hyperthreading side channel is unmitigated."),
    ]


def tenant_host_checker(**kwargs):
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(
        "esx02 runs VMs of five customers. Change its settings so that no two customers' vCPUs share a core "
        "at the same instant, at least 80 % of the capacity is kept, page sharing stays inside each VM, "
        "and the host's side-channel warning is not hidden.",
        check_tenant_host, exercise_id="tenant-host", lab=LAB, work=STARTING_TEXT,
        title="Configure a multi-tenant host", rows=7, **kwargs,
    )
