"""Host-level hardening: the settings dataset, a fresh install's verdicts (SCG 8 defaults, read in
hardening-facts.md §1b), a hardened host, the vSwitch policy's exposures, and bad input."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from vlab.knowledge.hardening import host_settings, read_host_settings
from vlab.knowledge.records import DatasetError
from vlab.models.security.host_hardening import audit_host, vswitch_exposure

HARDENED = {
    "MAC address changes": "Reject", "Forged transmits": "Reject", "Lockdown mode": "lockdownNormal",
    "Security.PasswordQualityControl":
        "similar=deny retry=3 min=disabled,disabled,disabled,disabled,15 max=64",
    "Syslog.global.logHost": "a site log server",
}


def test_every_setting_is_sourced_and_has_an_id():
    settings = host_settings()
    assert len(settings) >= 13  # the dataset's rows when this test was written
    for s in settings:
        assert s.source and s.title and s.why and (s.scg8_id or s.stig8_id)
        assert s.default_value in s.choices and set(s.expected) <= set(s.choices)


def test_a_fresh_install_fails_what_scg8_says_is_insecure_by_default():
    failed = {r.setting.setting for r in audit_host() if not r.passed}
    # SCG 8 defaults: MAC changes Accept, forged transmits Accept, lockdown disabled, 7-character
    # passwords, no remote syslog; promiscuous Reject, BPDU filter 1 and salting 2 already comply.
    assert failed == {"MAC address changes", "Forged transmits", "Lockdown mode",
                      "Security.PasswordQualityControl", "Syslog.global.logHost"}
    assert all(r.is_default for r in audit_host())


def test_a_hardened_host_passes_and_names_compare_case_insensitively():
    results = audit_host({k.upper(): v for k, v in HARDENED.items()})
    assert len(results) == len(host_settings())
    assert all(r.passed for r in results)
    changed = [r for r in results if r.setting.setting in HARDENED]
    assert len(changed) == len(HARDENED)  # every upper-cased name found its setting
    assert not any(r.is_default for r in changed)


def test_the_notes_advice_breaks_things_today():
    (salting,) = [r for r in audit_host({"Mem.ShareForceSalting": "0"})
                  if r.setting.setting == "Mem.ShareForceSalting"]
    assert not salting.passed and "should be 2" in salting.message


def test_bad_names_and_values_say_what_is_allowed():
    with pytest.raises(ValueError, match="unknown host setting 'Promiscuous'"):
        audit_host({"Promiscuous": "Reject"})
    with pytest.raises(ValueError, match="Accept | Reject"):
        audit_host({"Promiscuous mode": "Drop"})


def test_vswitch_exposure_follows_each_policy():
    defaults = vswitch_exposure()
    assert [e.possible for e in defaults] == [False, True, True]
    assert [e.possible for e in vswitch_exposure("Reject", "Reject", "Reject")] == [False] * 3
    assert [e.possible for e in vswitch_exposure("Accept", "Accept", "Accept")] == [True] * 3
    with pytest.raises(ValueError, match="Accept or Reject"):
        vswitch_exposure("accept")


def test_a_bad_host_row_names_its_line_and_column(tmp_path):
    header = ("setting,scope,choices,default_value,expected,scg8_id,stig8_id,title,why,"
              "seed_bullet,then_and_now,source")
    good = "SSH,host,running|stopped,stopped,stopped,esxi-8.deactivate-ssh,ESXI-80-000193,t,w,,,s"
    cases = [
        (good.replace("stopped,stopped,", "off,stopped,"), "default_value"),
        (good.replace(",host,", ",cluster,"), "scope"),
        (good.replace("running|stopped", "stopped"), "choices"),
        (good.replace("ESXI-80-000193", "ESX-193"), "stig8_id"),
    ]
    for row, column in cases:
        path = tmp_path / "host.csv"
        path.write_text(f"{header}\n{good.replace('SSH', 'Shell')}\n{row}\n", encoding="utf-8")
        with pytest.raises(DatasetError) as info:
            read_host_settings(path)
        assert (info.value.line, info.value.column) == (3, column)


def test_host_seed_bullets_quote_the_notes():
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / "vmware-intro-notes.txt"
    if not seed.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must not skip: the seed notes {seed} are absent")
        pytest.skip(f"seed notes {seed} absent")
    notes = " ".join(seed.read_text(encoding="utf-8").split()).lower()
    bullets = {s.seed_bullet for s in host_settings() if s.seed_bullet}
    assert len(bullets) >= 7
    for bullet in bullets:
        assert bullet.rsplit(": ", 1)[-1].lower() in notes, bullet
