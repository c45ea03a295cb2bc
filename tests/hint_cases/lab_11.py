"""Lab 11's checker: harden esx01's logins (see tests/test_checker_hints.py)."""
from vlab.exercises.management_access import STARTING_TEXT, check_login_policy

SOLUTION = """# esx01 advanced settings, as inherited from the VI3 days
Security.AccountLockFailures = 5
Security.AccountUnlockTime = 900
Security.PasswordQualityControl = "retry=3 min=disabled,disabled,disabled,disabled,15"
"""

CASES = [
    dict(exercise="login-policy", check=check_login_policy, start=STARTING_TEXT, solution=SOLUTION,
         values=("Security.AccountLockFailures = 5", "Security.AccountUnlockTime = 900",
                 "min=disabled,disabled,disabled,disabled,15"),
         follow=None),
]
