"""Lab 09's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from dataclasses import replace

from vlab.models.storage.simulation import simulate
from vlab.widgets.storage_panel import PanelSettings, run_settings

NAMES = {"PanelSettings": PanelSettings, "replace": replace, "run_settings": run_settings,
         "simulate": simulate}

ANSWERS = {
    ("09_scalability", "dsnro-two-vms"): (
        "shared", "shared = replace(shared, dsnro=32)\n",
        "shared = replace(shared, queue_depth=64)\n",  # a deeper queue, but DSNRO still caps two VMs at 16
        NAMES,
    ),
    ("09_scalability", "lun-for-40-vms"): (
        "lun", "lun = replace(lun, spindles=48)\n",
        # 80 commands / 20 ms = 4,000 IOPS / 182 per disk: 22 disks, the RAID 5 write penalty forgotten
        "lun = replace(lun, spindles=24)\n",
        NAMES,
    ),
}
