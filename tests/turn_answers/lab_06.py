"""Lab 06's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from vlab.models.datastore import backup

ANSWERS = {
    ("06_backup_options", "forty-vm-plan"): (
        "plan",
        "plan = BackupPlan(vm_count=40, disk_gb=40, daily_change_pct=5, bandwidth_mb_s=100, interval_h=6)\n",
        # the checker's 4 hours: less at risk, but a 4.55 h VCB run is still copying when the next is due
        "plan = BackupPlan(vm_count=40, disk_gb=40, daily_change_pct=5, bandwidth_mb_s=100, interval_h=4)\n",
        vars(backup),
    ),
    ("06_backup_options", "lun-for-vm01"): (
        "drill",
        'drill = DrillScenario(vm_count=1, disk_gb=8, lun_gb=10, daily_change_pct=5, hours_since_backup=6, '
        'bandwidth_mb_s=100, victim="vm01", seed=0)\n',
        # vm01 alone on its LUN, but the LUN is still 40 GB: the restore copies all of it (410 s)
        'drill = DrillScenario(vm_count=1, disk_gb=8, lun_gb=40, daily_change_pct=5, hours_since_backup=6, '
        'bandwidth_mb_s=100, victim="vm01", seed=0)\n',
        vars(backup),
    ),
}
