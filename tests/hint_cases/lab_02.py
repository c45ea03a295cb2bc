"""Lab 02's checker (fix this vSwitch): the hints name the idea, then the setting and which way to move
it, and the exact lines only from the third failed check. See tests/test_checker_hints.py."""
from test_exercises_virtual_networking import SOLUTION  # the solution the exercise tests use

from vlab.exercises.virtual_networking import STARTING_TEXT, check_vswitch

CASES = [
    dict(exercise="fix-vswitch", check=check_vswitch, start=STARTING_TEXT, solution=SOLUTION,
         values=("Reject", 'vm.web01.portgroup = "DMZ"', 'portgroup.vMotion.vlan = "50"',
                 'portgroup.vMotion.uplinks = "vmnic2"', '"vmnic0,vmnic1"'),
         follow=None),
]
