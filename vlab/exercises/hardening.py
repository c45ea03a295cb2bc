"""Lab 08's checker: fix web01's .vmx until the hardening audit passes.

web01 was configured from the old notes and a 5.x-era checklist: copy and paste open, logging
switched off, the 5.5 guide's log size, two console connections, a shared page-sharing salt,
leftover floppy, serial and USB devices, a non-persistent disk, vMotion encryption only
opportunistic. The learner edits the text; the check runs `vlab.models.security.hardening.audit` (the
baseline profile) and also makes sure the VM is still web01 with its disks and network card, so
deleting every line does not count as hardening.
"""
from __future__ import annotations

from collections.abc import Mapping

from vlab.formats.dictfile import DictFile, parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.security.hardening import Result, audit, expected_text, failures
from vlab.models.security.host_hardening import audit_host, vswitch_exposure

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


# For each rule web01 starts out failing: the idea (never the value), the direction (which way, still
# without the value) and the exact line (shown from the third failed check only).
_HINTS: dict[str, tuple[str, str, str]] = {
    "isolation.tools.copy.disable": (
        "Text copied inside the guest can leave it through the console client's clipboard, a path out of "
        "the VM that no network control sees. The key is named for what it disables.",
        "The line as written switches the protection off: reverse its value, or delete the line, since a "
        "missing key means the safe default.",
        'isolation.tools.copy.disable = "TRUE" (or delete the line)'),
    "isolation.tools.paste.disable": (
        "Pasting from the administrator's desktop pushes data or commands into the guest past its own "
        "controls. The key is named for what it disables.",
        "The line as written switches the protection off: reverse its value, or delete the line, since a "
        "missing key means the safe default.",
        'isolation.tools.paste.disable = "TRUE" (or delete the line)'),
    "logging": (
        "vmware.log is what support and incident response read to learn what happened to a VM; the "
        "notes' 'disable logging' advice has reversed.",
        "Turn VM logging back on, or delete the line: without it the VM logs.",
        'logging = "TRUE" (or delete the line)'),
    "log.rotateSize": (
        "The rotation size decides how much history each of the kept log files holds; the 5.5 guide's "
        "value rotates far more often than today's guide wants.",
        "Raise it to today's guide's rotation size, or delete the line: the default is the guide's value.",
        'log.rotateSize = "2048000" (or delete the line)'),
    "RemoteDisplay.maxConnections": (
        "A second console user can watch whatever the first does, a password typed included. This key's "
        "default sets no limit, so a missing line fails too.",
        "Lower the number of console connections, and keep the line: deleting it fails.",
        'RemoteDisplay.maxConnections = "1"'),
    "sched.mem.pshare.salt": (
        "VMs that share a salt share identical memory pages again, reopening the side channel that "
        "page-sharing research exploited; without the key each VM is salted with its own vc.uuid.",
        "No value of this key is safe for web01: it needs no salt line at all.",
        "delete the line sched.mem.pshare.salt"),
    "floppy*.present": (
        "Every virtual device is code the guest can talk to; a device nobody uses is attack surface for "
        "nothing.",
        "Remove the floppy drive from the VM: take its line out, or mark the drive as not present.",
        'floppy0.present = "FALSE" (or delete the line)'),
    "serial*.present": (
        "A serial port can be backed by a file, a pipe or the network: a data path out of the VM that "
        "bypasses its NIC.",
        "Remove the serial port: its present line, and the lines that back it with a file.",
        'delete serial0.present, serial0.fileType and serial0.fileName (or serial0.present = "FALSE")'),
    "usb.present|ehci.present|usb_xhci.present": (
        "A USB controller lets devices be attached to the guest; keep one only for a real need, such as "
        "a smart-card reader. web01 has none.",
        "Remove the USB controller: take its line out, or mark it as not present.",
        'delete usb.present (or usb.present = "FALSE")'),
    "*:*.mode": (
        "A non-persistent disk throws away every change at power-off, so an intruder's traces vanish "
        "with a reboot.",
        "Keep the scratch disk and its independence from snapshots, but make its changes stay on disk.",
        'scsi0:1.mode = "independent-persistent" (or "persistent", or delete the line)'),
    "migrate.encryptionMode": (
        "vMotion copies the VM's memory, secrets included, across the network; the default encrypts only "
        "when both hosts can, and otherwise moves the memory in clear.",
        "Choose the strictest encryption mode: the one that refuses to move the VM unencrypted. A missing "
        "line means the default, so keep the line.",
        'migrate.encryptionMode = "required"'),
}


def _identity_criterion(vmx: DictFile) -> Criterion:
    lost = [k for k, v in _IDENTITY.items() if (vmx.get(k) or "").lower() != v.lower()]
    if lost:
        return Criterion(False, f"web01 lost part of itself: {', '.join(lost)} changed or removed",
                         hint="Harden the settings, not the VM: a VM without its name, disks or network "
                              "card passes no audit by being hardened; it is simply another VM.",
                         direction="Put back the lines the message names, as they were in the starting "
                                   "file.",
                         answer="; ".join(f'{k} = "{_IDENTITY[k]}"' for k in lost))
    return Criterion(True, "web01 keeps its name, both disks and its network card")


def _measured(r: Result, vmx: DictFile) -> str:
    """What the audit found, without the value to type (the rule's title says what it wants)."""
    if r.passed:
        return f"{r.rule.title}: {r.message}"
    if r.actual is None:
        return f"{r.rule.title}: {r.keys[0]} is not set, and its default does not comply"
    return f"{r.rule.title}: " + "; ".join(f"{k} is {vmx.get(k)}" for k in r.keys)


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
            criteria.append(Criterion(True, _measured(r, vmx)))
        else:
            idea, direction, answer = _HINTS.get(r.rule.key, (
                f"Why the rule matters: {r.rule.why}", "Read the rule's title: it says which way.",
                f"{r.rule.key}: {expected_text(r.rule)}"))
            criteria.append(Criterion(False, _measured(r, vmx), hint=idea, direction=direction,
                                      answer=answer))
    others = [r for r in failures(results) if r.rule.key not in start]
    if others:
        criteria.append(Criterion(
            False, "New failures: " + "; ".join(_measured(r, vmx) for r in others),
            hint="Your edits broke a rule web01 used to pass: a hardening edit can open a door as well "
                 "as close one.",
            direction="Undo the change to the keys the message names: put them back as they were, or "
                      "take out the lines you added.",
            answer="; ".join(f"{r.rule.key}: {expected_text(r.rule)}" for r in others)))
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


# --------------------------------------------------------------------------- your turn
# Two short cells of lab 08 in which the learner writes the lines that change a model's input; the checks
# run the audits (the .vmx audit, the host audit and the vSwitch exposure), never read the learner's text.
_CONSOLE_RULES = ("isolation.tools.copy.disable", "isolation.tools.paste.disable",
                  "RemoteDisplay.maxConnections")


def check_console_paths(vmx: object) -> list[Criterion]:
    """Audit the learner's web01 DictFile for the console's three paths, and check it is still web01."""
    if not isinstance(vmx, DictFile):
        raise TypeError(f"expected the DictFile called vmx, got {type(vmx).__name__}")
    by_key = {r.rule.key: r for r in audit(vmx)}
    copy, paste, viewers = (by_key[k] for k in _CONSOLE_RULES)
    before = {r.rule.key for r in audit(parse_dictfile(WEB01_VMX)) if r.passed}
    broken = sorted(k for k in before if not by_key[k].passed)
    clip = [r for r in (copy, paste) if not r.passed]
    return [
        Criterion(not clip,
                  "copy and paste through the console: " + (
                      "open (" + "; ".join(f"{r.rule.key} is {r.actual}" for r in clip) + ")" if clip else
                      "closed (" + ", ".join(f"{r.rule.key}: {r.status.replace('_', ' ')}"
                                             for r in (copy, paste)) + ")"),
                  hint="The console's clipboard is a path into and out of the guest that no network "
                       "control sees; in SCG 8 it is closed unless a key opens it.",
                  direction="web01's two clipboard lines open it: reverse them, or take them out.",
                  answer='del vmx["isolation.tools.copy.disable"] and del '
                         'vmx["isolation.tools.paste.disable"] (or set each to "TRUE")'),
        Criterion(viewers.passed,
                  "console viewers: RemoteDisplay.maxConnections " + (
                      "is not set, so there is no limit" if viewers.actual is None else
                      f"is {viewers.actual}") + (" (complies)" if viewers.passed else ""),
                  hint=("Not every key is safe when it is missing: this one's default sets no limit."
                        if viewers.actual is None else
                        "A second console viewer can watch whatever the first does, a password typed "
                        "included."),
                  direction="Write the key, with fewer connections than web01 allows now.",
                  answer='vmx["RemoteDisplay.maxConnections"] = "1"'),
        Criterion(not broken,
                  "no rule web01 passed now fails" if not broken else
                  f"these rules passed before and fail now: {', '.join(broken)}",
                  hint="Close the console's paths without opening another door.",
                  direction="Undo the changes to the keys the message names.",
                  answer="put back " + ", ".join(broken) if broken else ""),
        _identity_criterion(vmx),
    ]


# The three vSwitch policies, in vswitch_exposure's argument order; each names the host setting too.
_GUEST_THREATS = ("Promiscuous mode", "MAC address changes", "Forged transmits")
_TURN_HINTS = {
    "Promiscuous mode": (
        "A port that receives every frame on its switch and VLAN lets a guest read other VMs' traffic.",
        "Leave promiscuous mode at its default, or close it explicitly.",
        '"Promiscuous mode": "Reject" (the default)'),
    "MAC address changes": (
        "Spoofing has two directions: sending in another VM's name, and receiving at an address taken "
        "over. Each direction has its own policy.",
        "Close the inbound direction as well: the policy that lets a guest change its own MAC and then "
        "receive at the new address.",
        '"MAC address changes": "Reject"'),
    "Forged transmits": (
        "A frame whose source MAC is not the one in the VM's .vmx is judged on its way out of the guest.",
        "Close the outbound direction: the policy named for frames sent under a false source address.",
        '"Forged transmits": "Reject"'),
}


def check_guest_cannot_spoof(host: object) -> list[Criterion]:
    """Audit a fresh host with the learner's settings: the vSwitch policy and page-sharing salting."""
    if not isinstance(host, Mapping):
        raise TypeError(f"expected the dict called host, got {type(host).__name__}")
    results = {r.setting.setting: r for r in audit_host(host)}
    exposure = vswitch_exposure(*(results[s].value for s in _GUEST_THREATS))
    criteria = []
    for e in exposure:
        idea, direction, answer = _TURN_HINTS[e.policy]
        criteria.append(Criterion(
            not e.possible, f"a guest {'can' if e.possible else 'cannot'} {e.threat} "
                            f"({e.policy}: {results[e.policy].value})",
            hint=idea, direction=direction, answer=answer))
    salting = results["Mem.ShareForceSalting"]
    criteria.append(Criterion(
        salting.passed, f"page sharing: Mem.ShareForceSalting is {salting.value} "
                        + ("(pages are shared only inside each VM)" if salting.passed else
                           "(VMs may share pages with each other)"),
        hint="'Disable page sharing' was about one VM learning another's memory through shared pages; "
             "since ESXi 6.0 salting keeps sharing inside each VM.",
        direction="Leave Mem.ShareForceSalting at its default: the lower values share pages between VMs "
                  "again.",
        answer='leave "Mem.ShareForceSalting" out of host (the default, 2), or "Mem.ShareForceSalting": "2"'))
    return criteria


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "console-paths",
            "close web01's console paths: no copy, no paste, one viewer at a time",
            check_console_paths,
            starter=(
                "vmx = parse_dictfile(WEB01_VMX)\n"
                "# Your lines: change or delete keys (vmx[key] = \"value\", del vmx[key]) so that the audit\n"
                "# passes copy, paste and the number of console viewers.\n"
            ),
        ),
        YourTurn(
            LAB, "guest-cannot-spoof",
            "set a fresh host so a guest can neither sniff, impersonate nor share pages with other VMs",
            check_guest_cannot_spoof,
            starter=(
                "host = {}  # a fresh install: every setting at its default\n"
                "# Your change: add \"setting\": \"value\" pairs (names as in the host panel) so that\n"
                "# a compromised guest can do none of the three things above and shares no memory page\n"
                "# with another VM.\n"
            ),
        ),
    )


YOUR_TURNS = _turns()
