"""Lab 05's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""
from vlab.widgets import datastore_panel

ANSWERS = {
    ("05_datastore_files", "break-chain"): (
        "web01", 'base.cid = 0x1234abcd\nwrite_descriptor(base, web01.path / "web01.vmdk")\n',
        # a new CID on the top delta: nothing sits above it, so no link breaks
        'top = read_descriptor(web01.path / "web01-000002.vmdk")\ntop.cid = 0x1234abcd\n'
        'write_descriptor(top, web01.path / "web01-000002.vmdk")\n',
        vars(datastore_panel),
    ),
    ("05_datastore_files", "size-datastore"): (
        "scenario", "scenario = FolderScenario(capacity_gb=90)\n",
        # a thick disk owns its blocks, but the snapshot's delta can still grow to the disk's size
        "scenario = FolderScenario(thin=False)\n",
        vars(datastore_panel),
    ),
}
