"""Lab 10's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from vlab import knowledge
from vlab.exercises.rdm_vs_vmfs import load_rdm_modes
from vlab.formats import parse_descriptor
from vlab.widgets.rdm_panel import mapping_descriptor

NAMES = {"knowledge": knowledge, "parse_descriptor": parse_descriptor,
         "mapping_descriptor": mapping_descriptor, "load_rdm_modes": load_rdm_modes}

ANSWERS = {
    ("10_rdm_vs_vmfs", "fs02-clone"): (
        "fs02_data", 'fs02_data = mapping_descriptor("virtual", disk="fs02_1", lun_gb=750)\n',
        # the data stays on the LUN, but a physical-mode RDM cannot be cloned into a template
        'fs02_data = mapping_descriptor("physical", disk="fs02_1", lun_gb=750)\n',
        NAMES,
    ),
    ("10_rdm_vs_vmfs", "gap-at-32kb"): (
        "seq32", 'seq32["link_gbps"] = 16\n',
        'seq32["spindles"] = 64\n',  # more disks, as for random I/O; but the wire caps 32 KB sequential
        NAMES,
    ),
}
