"""Lab 07's checker: configure a multi-tenant host (see tests/test_checker_hints.py)."""
from vlab.exercises.security_areas import STARTING_TEXT, check_tenant_host

SOLUTION = """# esx02: a host shared by five customers
VMkernel.Boot.hyperthreadingMitigation = TRUE
VMkernel.Boot.hyperthreadingMitigationIntraVM = FALSE
Mem.ShareForceSalting = 2
UserVars.SuppressHyperthreadWarning = 0
"""

CASES = [
    dict(exercise="tenant-host", check=check_tenant_host, start=STARTING_TEXT, solution=SOLUTION,
         values=("VMkernel.Boot.hyperthreadingMitigation = TRUE",
                 "VMkernel.Boot.hyperthreadingMitigationIntraVM = FALSE",
                 "Mem.ShareForceSalting = 2", "UserVars.SuppressHyperthreadWarning = 0"),
         follow=None),
]
