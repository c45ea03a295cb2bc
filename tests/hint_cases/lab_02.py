"""Lab 02's checker (fix this vSwitch): the hints name the idea, then the setting and which way to move
it, and the exact lines only from the third failed check. See tests/test_checker_hints.py."""
from vlab.exercises.virtual_networking import STARTING_TEXT, check_vswitch

# the instructor's solution (labs/02_virtual_networking.ipynb, instructor notes)
SOLUTION = """vswitch.uplinks = "vmnic0,vmnic1,vmnic2"
vswitch.promiscuous = "Reject"
vswitch.macChanges = "Reject"
vswitch.forgedTransmits = "Reject"
portgroup.Production.vlan = "10"
portgroup.Production.uplinks = "vmnic0,vmnic1"
portgroup.DMZ.vlan = "20"
portgroup.DMZ.uplinks = "vmnic0,vmnic1"
portgroup.vMotion.vlan = "50"
portgroup.vMotion.uplinks = "vmnic2"
vm.web01.portgroup = "DMZ"
vm.app01.portgroup = "Production"
vm.db01.portgroup = "Production"
"""

CASES = [
    dict(exercise="fix-vswitch", check=check_vswitch, start=STARTING_TEXT, solution=SOLUTION,
         values=("Reject", 'vm.web01.portgroup = "DMZ"', 'portgroup.vMotion.vlan = "50"',
                 'portgroup.vMotion.uplinks = "vmnic2"', '"vmnic0,vmnic1"'),
         follow=None),
]
