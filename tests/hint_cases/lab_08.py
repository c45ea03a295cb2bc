"""Lab 08's checker: fix web01's .vmx until the baseline audit passes (see tests/test_checker_hints.py)."""
from test_exercises_hardening import fixed_by_hand  # the hand-fixed file the exercise tests use

from vlab.exercises.hardening import WEB01_VMX, check_hardened_vmx

CASES = [
    dict(
        exercise="harden-web01-vmx",
        check=check_hardened_vmx,
        start=WEB01_VMX,
        solution=fixed_by_hand(),
        values=('copy.disable = "TRUE"', 'logging = "TRUE"', "2048000", 'maxConnections = "1"',
                '"required"', "independent-persistent", 'floppy0.present = "FALSE"'),
        follow=None,
    ),
]
