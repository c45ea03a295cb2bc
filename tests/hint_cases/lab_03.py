"""Lab 03's checker: share vmfs-prod fairly, reservations under control (see tests/test_checker_hints.py)."""
from vlab.exercises.virtual_storage import STARTING_TEXT, check_lun_design

SOLUTION = (STARTING_TEXT.replace("hosts_on_lun = 8 ", "hosts_on_lun = 2 ")
            .replace("dsnro = 32 ", "dsnro = 12 ")
            .replace("admin_tasks = business_hours", "admin_tasks = off_peak"))

CASES = [
    dict(exercise="share-the-lun", check=check_lun_design, start=STARTING_TEXT, solution=SOLUTION,
         values=("hosts_on_lun = 2", "dsnro = 12", "admin_tasks = off_peak", "off_peak"),
         follow=None),
]
