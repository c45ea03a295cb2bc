"""Small, honest models of ESX, grouped by the area of the notes they imitate.

vmkernel (CPU, memory, binary translation, hyper-threads), network (the vSwitch), storage (the I/O path,
queueing, Table 2 sizing, RDM), datastore (a VMFS volume, a VM's files, backup), vcenter (inventory,
DRS, HA) and security (hardening audits, password guessing, fingerprinting). Models are pure Python
(simpy for the storage path), seeded, and never import ipywidgets or plotly.
"""
