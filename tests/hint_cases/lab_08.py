"""Lab 08's checker: fix web01's .vmx until the baseline audit passes (see tests/test_checker_hints.py)."""
from vlab.exercises.hardening import WEB01_VMX, check_hardened_vmx

EDITS = {  # by hand, line by line, from SCG 8
    'scsi0:1.mode = "independent-nonpersistent"': 'scsi0:1.mode = "independent-persistent"',
    'floppy0.present = "TRUE"': 'floppy0.present = "FALSE"',
    'serial0.present = "TRUE"': "",
    'usb.present = "TRUE"': "",
    'isolation.tools.copy.disable = "FALSE"': 'isolation.tools.copy.disable = "TRUE"',
    'isolation.tools.paste.disable = "FALSE"': "",
    'logging = "FALSE"': 'logging = "TRUE"',
    'log.rotateSize = "100000"': 'log.rotateSize = "2048000"',
    'RemoteDisplay.maxConnections = "2"': 'RemoteDisplay.maxConnections = "1"',
    'sched.mem.pshare.salt = "web-farm"': "",
    'migrate.encryptionMode = "opportunistic"': 'migrate.encryptionMode = "required"',
}


def _solution() -> str:
    text = WEB01_VMX
    for old, new in EDITS.items():
        text = text.replace(old, new)
    return text


CASES = [
    dict(
        exercise="harden-web01-vmx",
        check=check_hardened_vmx,
        start=WEB01_VMX,
        solution=_solution(),
        values=('copy.disable = "TRUE"', 'logging = "TRUE"', "2048000", 'maxConnections = "1"',
                '"required"', "independent-persistent", 'floppy0.present = "FALSE"'),
        follow=None,
    ),
]
