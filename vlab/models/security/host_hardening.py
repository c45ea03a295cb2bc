"""Host-level hardening: judge an ESXi host's (and its standard vSwitch's) security settings.

Imitates, for a handful of settings from datasets/hardening_host_settings.csv, what the vSphere 8
Security Configuration Guide and the ESXi STIG ask of a host: the vSwitch security policy
(promiscuous mode, MAC address changes, forged transmits), VLAN 4095, BPDU filtering, page-sharing
salting, lockdown mode, SSH and the ESXi Shell, SNMP, account lockout, password quality and remote
syslog. A setting left out of the input takes its installation default, so the audit of an empty
mapping shows what a fresh install fails.

`vswitch_exposure` spells out what each vSwitch policy lets a compromised guest do.

Left out: distributed switches (vCenter's dvPortgroup policies are the same three, VCSA-80-000268
to -000270), per-port-group overrides of the switch policy, and the hundred-odd other host
controls of the guide.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vlab.knowledge.hardening import HostSetting, host_settings


@dataclass(frozen=True)
class HostResult:
    """One host setting's verdict: the value judged, whether it passes, and why."""

    setting: HostSetting
    value: str
    passed: bool
    is_default: bool
    message: str


def audit_host(values: Mapping[str, str] | None = None) -> list[HostResult]:
    """Judge every host setting; a setting missing from `values` takes its default.

    Names compare case-insensitively. An unknown name or a value outside the setting's choices
    raises ValueError naming the choices.
    """
    by_name = {s.setting.lower(): s for s in host_settings()}
    given: dict[str, str] = {}
    for name, value in (values or {}).items():
        setting = by_name.get(name.lower())
        if setting is None:
            raise ValueError(f"unknown host setting '{name}'; known: "
                             f"{', '.join(s.setting for s in host_settings())}")
        if value not in setting.choices:
            raise ValueError(f"{setting.setting}: '{value}' is not one of "
                             f"{' | '.join(setting.choices)}")
        given[setting.setting.lower()] = value
    results = []
    for setting in host_settings():
        value = given.get(setting.setting.lower(), setting.default_value)
        is_default = setting.setting.lower() not in given
        passed = value in setting.expected
        if passed:
            message = "complies" + (" (the installation default)" if is_default else "")
        else:
            origin = "the installation default" if is_default else "set"
            message = f"{value} ({origin}); should be {' or '.join(setting.expected)}"
        results.append(HostResult(setting, value, passed, is_default, message))
    return results


@dataclass(frozen=True)
class Exposure:
    """Something a compromised guest could do on a port group, and which policy allows it."""

    threat: str
    possible: bool
    policy: str


def _accept(name: str, value: str) -> bool:
    if value not in ("Accept", "Reject"):
        raise ValueError(f"{name} is Accept or Reject, not '{value}'")
    return value == "Accept"


def vswitch_exposure(promiscuous: str = "Reject", mac_changes: str = "Accept",
                     forged_transmits: str = "Accept") -> list[Exposure]:
    """What a guest on a port group with this security policy can do (defaults: SCG 8's
    installation defaults for a standard switch)."""
    return [
        Exposure("read frames addressed to other VMs on the same port group and VLAN",
                 _accept("promiscuous", promiscuous), "Promiscuous mode"),
        Exposure("change its MAC address and receive frames meant for the address it took over",
                 _accept("mac_changes", mac_changes), "MAC address changes"),
        Exposure("send frames with a source MAC address that is not its own",
                 _accept("forged_transmits", forged_transmits), "Forged transmits"),
    ]
