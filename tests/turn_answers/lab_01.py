"""Lab 01's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from vlab.models.vmkernel.cpu_sched import VmCpu

ANSWERS = {
    ("01_vmkernel", "cap-batch"): (
        "batch", 'batch = VmCpu("batch", limit_mhz=1000)\n',
        'batch = VmCpu("batch", reservation_mhz=1000)\n',  # a floor, not a ceiling: batch still takes 2000
        {"VmCpu": VmCpu},
    ),
    ("01_vmkernel", "isolate-shop"): (
        "salts", 'salts["shop"] = "shop-only"\n',
        'salts["web1"] = salts["web2"] = "webfarm"\n',  # salting our clones leaves shop in the default group
        {},
    ),
}
