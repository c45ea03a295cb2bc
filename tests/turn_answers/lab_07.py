"""Lab 07's your-turn answers: (lab, turn id) -> (the name the check looks at, lines a right answer adds,
lines that only look right, the names the lab's earlier cells import)."""

ANSWERS = {
    ("07_security_areas", "scav1-cost"): (
        "tenants", "tenants = [2, 2, 2, 2, 2, 2, 2, 2]\n",
        # 16 vCPUs too, so SCAv1 runs only 8; but single-vCPU VMs have no partner, so SCAv2 runs only 8 as well
        "tenants = [1] * 16\n",
        {},
    ),
    ("07_security_areas", "tps-probe"): (
        "esx02", 'vms = tenant_vms(salts={"shop1": "shop", "shop2": "shop"})\nesx02 = Host.boot(vms, salting=2)\n',
        "esx02 = Host.boot(vms, salting=1)\n",  # "1 turns salting on": but every unsalted VM shares the default salt
        {},
    ),
}
