"""Lab 10's checker (VMFS or RDM, and which mode?): the hints name the idea that decides each situation,
then the deciding rows of the modes table, and the choice only from the third failed check.
See tests/test_checker_hints.py."""
from test_exercises_rdm_vs_vmfs import SOLUTION  # the solution the exercise tests use

from vlab.exercises.rdm_vs_vmfs import STARTING_TEXT, check_choices

CASES = [
    dict(exercise="pick-the-disk", check=check_choices, start=STARTING_TEXT, solution=SOLUTION,
         values=tuple(line for line in SOLUTION.splitlines() if line)
         + ("= rdm-physical", "= rdm-virtual", "= vmfs"),
         follow=None),
]
