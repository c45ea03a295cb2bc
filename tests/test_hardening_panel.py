"""Lab 08's panels: the pure table/figure functions and the widgets driven without a browser."""
from __future__ import annotations

from vlab.exercises.hardening import WEB01_VMX
from vlab.models.security.hardening import audit_text
from vlab.widgets.hardening_panel import (
    HardeningPanel,
    HostHardeningPanel,
    results_frame,
    seed_map_frame,
    status_figure,
)

# The rules web01's .vmx breaks, read off the file by hand against SCG 8 / audit-vm-8.ps1:
# copy and paste allowed, a page-sharing salt, two console connections, 100 kB logs, logging off,
# floppy, serial port and USB controller present, an independent non-persistent disk, and vMotion
# encryption only opportunistic.
WEB01_FAILS = {
    "isolation.tools.copy.disable", "isolation.tools.paste.disable", "sched.mem.pshare.salt",
    "RemoteDisplay.maxConnections", "log.rotateSize", "logging", "floppy*.present",
    "serial*.present", "usb.present|ehci.present|usb_xhci.present", "*:*.mode",
    "migrate.encryptionMode",
}


def test_results_frame_and_figure_count_the_same_verdicts():
    results = audit_text(WEB01_VMX)
    frame = results_frame(results)
    assert len(frame) == len(results)
    assert set(frame.loc[frame["verdict"] == "✗ FAIL", "key"]) == WEB01_FAILS
    assert (frame["verdict"] == "✗ FAIL").sum() == len(WEB01_FAILS)
    fig = status_figure(results)
    assert sum(sum(trace.y) for trace in fig.data) == len(results)
    fails = [t for t in fig.data if "FAIL" in t.name][0]
    assert sum(fails.y) == len(WEB01_FAILS)


def test_seed_map_covers_the_notes_hardening_bullets():
    frame = seed_map_frame()
    said = " ".join(frame["the notes say"])
    for bullet in ("Disable copy-paste", "Disable logging", "promiscuous mode", "MAC spoofing",
                   "isolated network for VMotion", "SNMP", "password policies"):
        assert bullet in said, bullet


def test_the_panel_reacts_to_text_profile_and_bad_input():
    panel = HardeningPanel(WEB01_VMX)
    assert {r.rule.key for r in panel.results if not r.passed} == WEB01_FAILS
    assert sum(not r.passed for r in panel.results) == len(WEB01_FAILS)
    assert "✗ FAIL" in panel.table.value and panel.plot.outputs
    panel.profile.value = "+ legacy (5.x/6.x)"
    assert len(panel.results) > 24
    panel.text.value = 'RemoteDisplay.maxConnections = "1\n'
    assert "Cannot audit" in panel.status.value and "line 1" in panel.status.value
    panel.text.value = 'RemoteDisplay.maxConnections = "1"\nmigrate.encryptionMode = "required"\n'
    # legacy and advanced keys are missing; no firmware line = BIOS, so Secure Boot does not apply
    assert "5 fail, 1 not applicable" in panel.status.value
    assert "not applicable to this VM" in panel.table.value
    panel.profile.value = "baseline (SCG 8)"
    assert "0 fail" in panel.status.value


def test_the_host_panel_starts_at_defaults_and_follows_the_drop_downs():
    panel = HostHardeningPanel()
    assert "8 pass, 5 fail" in panel.status.value
    assert panel.exposure.value.count("YES") == 2  # MAC changes and forged transmits accepted
    panel.controls["MAC address changes"].value = "Reject"
    panel.controls["Forged transmits"].value = "Reject"
    assert panel.exposure.value.count("YES") == 0 and "10 pass, 3 fail" in panel.status.value
