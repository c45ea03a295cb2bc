"""Lab 06's checker: the backup option, the proxy transport and the interval (see tests/test_checker_hints.py)."""
from vlab.exercises.backup_options import STARTING_TEXT, check_backup_choice

CASES = [
    dict(
        exercise="pick-the-backup",
        check=check_backup_choice,
        start=STARTING_TEXT,
        solution="option = vadp_cbt\ntransport = hotadd\ninterval_h = 4\n",
        values=("vadp_cbt", "hotadd", "interval_h = 4"),
        follow=None,
    ),
    # The same checker from a start that fails the other two criteria: VCB over SAN, every 4 hours
    # (full copies overrun the window; SAN zones the DMZ LUN to the proxy).
    dict(
        exercise="pick-the-backup",
        check=check_backup_choice,
        start="option = vcb\ntransport = san\ninterval_h = 4\n",
        solution="option = vadp_cbt\ntransport = nbd\ninterval_h = 4\n",
        values=("vadp_cbt", "nbd", "hotadd"),
        follow=None,
    ),
]
