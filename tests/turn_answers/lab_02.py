"""Lab 02's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from vlab.models.network import vswitch

ANSWERS = {
    ("02_virtual_networking", "db01-vmotion"): (
        "esx02", 'esx02.add_port_group("DB", 20)\n',
        'esx02.add_port_group("DB", 4095)\n',  # the name matches, but a trunk lets the guest tag
        vars(vswitch),
    ),
    ("02_virtual_networking", "forged-frame"): (
        "policy", "policy = SecurityPolicy(forged_transmits=False)\n",
        "policy = SecurityPolicy(mac_changes=False)\n",  # the inbound check, not the outbound one
        vars(vswitch),
    ),
}
