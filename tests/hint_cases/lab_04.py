"""Lab 04's checker (resource pools and HA for Production): the hints name the idea, then the setting
and which way to move it, and the exact lines only from the third failed check. See
tests/test_checker_hints.py."""
from vlab.exercises.vcenter_suite import STARTING_TEXT, check_pools_and_ha

# the instructor's solution (labs/04_vcenter_suite.ipynb, instructor notes): high shares, slot policy
SOLUTION = (STARTING_TEXT.replace("production.shares = normal", "production.shares = high")
            .replace("ha.admission_control = disabled", "ha.admission_control = host_failures"))

CASES = [
    dict(exercise="pools-and-ha", check=check_pools_and_ha, start=STARTING_TEXT, solution=SOLUTION,
         values=("production.shares = high", "ha.admission_control = host_failures",
                 "production.reservation_mhz = 14000", "ha.percent = 34"),
         follow=None),
]
