"""Lab 03's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from vlab.widgets.io_path_panel import SharedLun

NAMES = {"SharedLun": SharedLun}

ANSWERS = {
    ("03_virtual_storage", "no-kavg"): (
        "esx01", "esx01 = SharedLun(outstanding=(32, 4, 4, 4), dsnro=64, queue_depth=64)\n",
        # a deeper queue alone: with several VMs on the LUN, DSNRO still lets only 32 through
        "esx01 = SharedLun(outstanding=(32, 4, 4, 4), dsnro=32, queue_depth=64)\n",
        NAMES,
    ),
    ("03_virtual_storage", "protect-web01"): (
        "esx02",
        'esx02 = SharedLun(outstanding=(64, 4, 4, 4), names=("bkp01", "web01", "web02", "web03"), '
        "spindles=32, queue_depth=64, dsnro=32)\n",
        # DSNRO 16 protected web01 on 16 spindles; on 32 it leaves spindles idle and costs IOPS
        'esx02 = SharedLun(outstanding=(64, 4, 4, 4), names=("bkp01", "web01", "web02", "web03"), '
        "spindles=32, queue_depth=64, dsnro=16)\n",
        NAMES,
    ),
}
