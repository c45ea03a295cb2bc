"""Lab 01's checker: shares, reservations, limits and salts on esx01 (see tests/test_checker_hints.py)."""
from vlab.exercises.vmkernel import STARTING_TEXT, check_host_settings

SOLUTION = (STARTING_TEXT.replace("db.reservation_mhz = 0", "db.reservation_mhz = 1500")
            .replace("batch.limit_mhz = 0", "batch.limit_mhz = 500")
            .replace("Mem.ShareForceSalting = 0", "Mem.ShareForceSalting = 2")
            .replace('web1.sched.mem.pshare.salt = ""', 'web1.sched.mem.pshare.salt = "webfarm"')
            .replace('web2.sched.mem.pshare.salt = ""', 'web2.sched.mem.pshare.salt = "webfarm"'))

CASES = [
    dict(exercise="host-settings", check=check_host_settings, start=STARTING_TEXT, solution=SOLUTION,
         values=("db.reservation_mhz = 1500", "batch.limit_mhz = 500", "Mem.ShareForceSalting = 2",
                 "1500", "= 500", '"webfarm"'),
         follow=None),
]
