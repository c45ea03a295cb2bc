"""Lab 11's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from vlab.models.security import brute_force

ANSWERS = {
    ("11_management_access", "lockout-ratio"): (
        "esx01", 'esx01["Security.AccountUnlockTime"] = 1800\n',
        # both numbers raised, so it looks stricter; but twice the failures per lock halves the gain
        'esx01 = {"Security.AccountLockFailures": 20, "Security.AccountUnlockTime": 1800}\n',
        vars(brute_force),
    ),
    ("11_management_access", "lowercase-policy"): (
        "policy", 'policy = "retry=3 min=9,disabled,disabled,7,7"\n',
        'policy = "retry=3 min=7,disabled,disabled,7,7"\n',  # the same length, as if the alphabet did not count
        {},
    ),
}
