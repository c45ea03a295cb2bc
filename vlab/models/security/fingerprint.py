"""What a guest can see that gives away "I am a VMware virtual machine" (the notes' "fingerprinting").

Imitates: the documented detection mechanisms of VMware KB 1009458 ("Mechanisms to determine if software is
running in a VMware virtual machine") and the MAC address prefixes ESX assigns, read from a VM's .vmx.

Leaves out: timing tricks and device-model quirks (undocumented, version-specific), and the settings some
people use to hide a VM (unsupported; they break VMware Tools and licensing checks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from vlab.formats import DictFile

KB_1009458 = "VMware KB 1009458, Mechanisms to determine if software is running in a VMware virtual machine"
MAC_SOURCE = "libvirt src/vmx/vmx.c, ethernet addressType comment (generated 00:0c:29, vpx/static 00:50:56)"
# Organizationally unique identifiers ESX uses for virtual NICs.
VMWARE_OUIS = {"00:0c:29": "generated (hosted products, standalone ESX)", "00:50:56": "vCenter (vpx) or static"}


@dataclass(frozen=True)
class Signal:
    """One thing the guest can observe, what it shows, and whether it reveals VMware."""

    name: str
    seen_by_guest: str
    reveals_vmware: bool
    source: str


def _macs(vmx: DictFile) -> list[tuple[str, str]]:
    nics = sorted({m.group(1) for key in vmx for m in [re.match(r"(ethernet\d+)\.", key.lower())] if m})
    found = []
    for nic in nics:
        if (vmx.get(f"{nic}.present") or "true").lower() == "false":
            continue
        mac = vmx.get(f"{nic}.generatedAddress") or vmx.get(f"{nic}.address")
        if mac:
            found.append((nic, mac.lower()))
    return found


def guest_signals(vmx: DictFile) -> list[Signal]:
    """The signals a guest of this .vmx sees, in the order a detection script would test them."""
    signals = []
    hw = vmx.get_int("virtualHW.version")
    if hw is not None and hw >= 7:
        signals.append(Signal("CPUID hypervisor-present bit", "leaf 0x1 ECX bit 31 set; leaf 0x40000000 = "
                              "'VMwareVMware'", True, KB_1009458))
    else:
        signals.append(Signal("CPUID hypervisor-present bit", f"not defined for virtual hardware {hw} (< 7)",
                              False, KB_1009458))
    uuid = (vmx.get("uuid.bios") or "").replace(" ", "").replace("-", "")
    serial = f"VMware-{uuid[:16]}..." if uuid else "VMware-..."
    signals.append(Signal("BIOS (DMI) serial number", serial, True, KB_1009458))
    signals.append(Signal("hypervisor I/O port", "answers VMware's magic value (VMware Tools use it)", True,
                          KB_1009458))
    for nic, mac in _macs(vmx):
        oui = mac[:8]
        kind = VMWARE_OUIS.get(oui)
        signals.append(Signal(f"{nic} MAC address", mac + (f" ({kind})" if kind else ""), kind is not None,
                              MAC_SOURCE))
    return signals
