"""Lab 06's checker: option, transport and interval for RPO 4 h, RTO 15 min and "restore one vmdk".

Numbers by hand: 8 x 40 GiB thick VMs, a 400 GiB LUN, 5 %/day change, 100 MiB/s.
LUN restore: 409600 MiB / 100 = 4096 s = 68.3 min; one-VM restore: 40960 / 100 = 409.6 s = 6.8 min.
VCB run: 8 x 40960 MiB / 100 = 3276.8 s = 54.6 min. VADP run every 4 h: 8 x 40 GiB x 5 % x 4/24
= 2.67 GiB = 27.3 s.
"""
from __future__ import annotations

import pytest

from vlab.exercises.backup_options import (
    STARTING_TEXT,
    backup_choice_checker,
    check_backup_choice,
    parse_choice,
)
from vlab.learn.checks import run_check
from vlab.learn.progress import ProgressStore

SOLUTION = "option = vadp_cbt\ntransport = hotadd\ninterval_h = 4\n"


def failed(criteria):
    return [c for c in criteria if not c.passed]


def test_the_starting_lun_copy_fails_four_ways_with_hints():
    criteria = check_backup_choice(STARTING_TEXT)
    assert len(criteria) == 5
    granular, rpo, rto, window, exposure = criteria
    assert not granular.passed and "other 7 back" in granular.message and "one vmdk" in granular.hint
    assert not rpo.passed and "24 h" in rpo.message and "every 4 hours" in rpo.hint
    assert not rto.passed and "68.3 min" in rto.message
    assert not window.passed and "68.3 min" in window.message and "whole LUN" in window.hint
    assert exposure.passed  # the array copies the LUN itself: no proxy involved


def test_vadp_with_cbt_over_hotadd_every_four_hours_passes():
    criteria = check_backup_choice(SOLUTION)
    assert all(c.passed for c in criteria), [c.message for c in criteria if not c.passed]
    assert "6.8 min" in criteria[2].message  # one 40 GB disk at 100 MB/s
    # 8 x 40 GiB x 5 % x 4/24 = 2.67 GiB per run; 2730.7 MiB / 100 MiB/s = 27.3 s = 0.455 min
    assert "2.7 GB: 0.5 min" in criteria[3].message


def test_nbd_is_also_accepted_and_a_shorter_interval_too():
    assert all(c.passed for c in check_backup_choice(dict(option="vadp_cbt", transport="nbd",
                                                          interval_h=1)))


def test_vcb_is_granular_but_its_full_copies_overrun_the_window():
    bad = failed(check_backup_choice("option = vcb\ntransport = hotadd\ninterval_h = 4"))
    assert len(bad) == 1
    assert "54.6 min" in bad[0].message and "Changed block tracking" in bad[0].hint


def test_san_transport_exposes_the_lun():
    bad = failed(check_backup_choice("option = vadp_cbt\ntransport = san\ninterval_h = 4"))
    assert len(bad) == 1 and "zones the DMZ LUN" in bad[0].message and "HotAdd" in bad[0].hint


def test_a_daily_vadp_backup_misses_only_the_rpo():
    bad = failed(check_backup_choice("option = vadp_cbt\ntransport = hotadd\ninterval_h = 24"))
    assert len(bad) == 1 and "RPO missed" in bad[0].message and "2.00 GB" in bad[0].message


@pytest.mark.parametrize("text, message", [
    ("option = tape\ntransport = san\ninterval_h = 4", "option must be one of"),
    ("option = vcb\ntransport = usb\ninterval_h = 4", "transport must be one of"),
    ("option = vcb\ntransport = san\ninterval_h = soon", "interval_h must be a number"),
    ("option = vcb\ntransport = san\ninterval_h = 0", "from 0.25 to 168"),
    ("option vcb", "is not 'setting = value'"),
    ("option = vcb\ntransport = san", "add a line for interval_h"),
    (SOLUTION + "retention = 30\n", "unknown setting 'retention'"),
])
def test_malformed_choices_say_what_to_change(text, message):
    with pytest.raises(ValueError, match=message):
        parse_choice(text)
    report = run_check(check_backup_choice, text)
    assert not report.passed and message.split("'")[0] in report.criteria[0].message


def test_colons_comments_quotes_and_case_are_accepted():
    choice = parse_choice("Option: 'VADP_CBT'  # today\ntransport: HotAdd\ninterval_h: 2.5\n")
    assert choice == {"option": "vadp_cbt", "transport": "hotadd", "interval_h": 2.5}


def test_work_that_is_neither_text_nor_a_mapping_is_refused():
    with pytest.raises(ValueError, match="setting = value"):
        check_backup_choice(42)


def test_the_widget_records_a_failure_then_a_pass(vlab_home):
    store = ProgressStore(learner="tester")
    widget = backup_choice_checker(store=store)
    assert widget.work.value == STARTING_TEXT
    widget.check_button.click()
    assert not widget.passed and "✗" in widget.results.value
    widget.work.value = "option = floppy"
    assert not widget.check().passed and "option must be one of" in widget.results.value
    widget.work.value = SOLUTION
    widget.check_button.click()
    assert widget.passed
    assert [r.correct for r in store.attempts(lab="06_backup_options")] == [False, False, True]
