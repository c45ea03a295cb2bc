"""Lab 08's checker: fix web01's .vmx until the hardening audit passes.

web01 was configured from the old notes and a 5.x-era checklist: copy and paste open, logging
switched off, the 5.5 guide's log size, two console connections, a shared page-sharing salt,
leftover floppy, serial and USB devices, a non-persistent disk, vMotion encryption only
opportunistic. The learner edits the text; the check runs `vlab.models.security.hardening.audit` (the
baseline profile) and also makes sure the VM is still web01 with its disks and network card, so
deleting every line does not count as hardening.
"""
from __future__ import annotations

from vlab.formats.dictfile import DictFile, parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.security.hardening import audit, expected_text, failures

LAB = "08_hardening"
EXERCISE_ID = "harden-web01-vmx"

WEB01_VMX = """\
.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "19"
displayName = "web01"
guestOS = "windows2019srv-64"
memSize = "4096"
numvcpus = "2"
scsi0.virtualDev = "pvscsi"
scsi0.present = "TRUE"
scsi0:0.fileName = "web01.vmdk"
scsi0:0.present = "TRUE"
scsi0:1.fileName = "web01_scratch.vmdk"
scsi0:1.mode = "independent-nonpersistent"
scsi0:1.present = "TRUE"
ethernet0.virtualDev = "vmxnet3"
ethernet0.networkName = "Web DMZ"
ethernet0.present = "TRUE"
floppy0.present = "TRUE"
serial0.present = "TRUE"
serial0.fileType = "file"
serial0.fileName = "web01-serial.txt"
usb.present = "TRUE"
isolation.tools.copy.disable = "FALSE"
isolation.tools.paste.disable = "FALSE"
logging = "FALSE"
log.rotateSize = "100000"
RemoteDisplay.maxConnections = "2"
sched.mem.pshare.salt = "web-farm"
migrate.encryptionMode = "opportunistic"
"""

# what must survive hardening: the VM is still web01, with its two disks and its NIC
_IDENTITY = {
    "displayName": "web01",
    "scsi0:0.fileName": "web01.vmdk",
    "scsi0:1.fileName": "web01_scratch.vmdk",
    "ethernet0.present": "TRUE",
    "ethernet0.networkName": "Web DMZ",
}


def _identity_criterion(vmx: DictFile) -> Criterion:
    lost = [k for k, v in _IDENTITY.items() if (vmx.get(k) or "").lower() != v.lower()]
    if lost:
        return Criterion(False, f"web01 lost part of itself: {', '.join(lost)} changed or removed",
                         "Harden the settings, not the VM: keep its name, both disks and its "
                         "network card as they were.")
    return Criterion(True, "web01 keeps its name, both disks and its network card")


def check_hardened_vmx(text: str) -> list[Criterion]:
    """One criterion per rule web01 starts out failing, one for every other rule, one for the VM
    itself. A malformed line raises ValueError (shown to the learner with its line number)."""
    vmx = parse_dictfile(text, source="web01.vmx")
    start = {r.rule.key for r in failures(audit(parse_dictfile(WEB01_VMX)))}
    results = audit(vmx)
    criteria = []
    for r in results:
        if r.rule.key not in start:
            continue
        if r.passed:
            criteria.append(Criterion(True, f"{r.rule.title}: {r.message}"))
        else:
            criteria.append(Criterion(
                False, f"{r.rule.title}: {r.message}",
                f"Expected {r.rule.key}: {expected_text(r.rule)}. Why: {r.rule.why}"))
    others = [r for r in failures(results) if r.rule.key not in start]
    if others:
        criteria.append(Criterion(
            False, "New failures: " + "; ".join(r.message for r in others),
            "Your edits broke a rule web01 used to pass; undo that change."))
    else:
        criteria.append(Criterion(True, "No other rule fails"))
    criteria.append(_identity_criterion(vmx))
    return criteria


def hardening_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(
        "web01's `.vmx` below was set up from the old notes and a 5.x checklist. Edit it until "
        "every criterion passes against today's baseline (SCG 8 with VMware's audit-script "
        "rules). Change or delete lines; keep the VM's name, disks and network card. "
        "The look-up and `vlab harden` say why each key matters.",
        check_hardened_vmx,
        exercise_id=EXERCISE_ID,
        lab=LAB,
        work=WEB01_VMX,
        title="Fix web01's .vmx until the audit passes",
        rows=WEB01_VMX.count("\n") + 2,
        **kwargs,
    )
