"""Lab 08's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from vlab.exercises.hardening import WEB01_VMX
from vlab.formats import parse_dictfile

NAMES = {"WEB01_VMX": WEB01_VMX, "parse_dictfile": parse_dictfile}

ANSWERS = {
    ("08_hardening", "console-paths"): (
        "vmx",
        'del vmx["isolation.tools.copy.disable"]\n'
        'del vmx["isolation.tools.paste.disable"]\n'
        'vmx["RemoteDisplay.maxConnections"] = "1"\n',
        # "a missing key passes" read as a rule: true for copy and paste, but maxConnections' default is no limit
        'del vmx["isolation.tools.copy.disable"]\n'
        'del vmx["isolation.tools.paste.disable"]\n'
        'del vmx["RemoteDisplay.maxConnections"]\n',
        NAMES,
    ),
    ("08_hardening", "guest-cannot-spoof"): (
        "host",
        'host = {"MAC address changes": "Reject", "Forged transmits": "Reject"}\n',
        # the notes read literally: "prevent MAC spoofing" as one policy, "disable page sharing" as salting 0
        'host = {"Forged transmits": "Reject", "Mem.ShareForceSalting": "0"}\n',
        {},
    ),
}
