"""vCenter and its suite (lab 04): the inventory (datacenter, cluster, hosts, resource pools and their
shares, reservations and limits), DRS recommending vMotions, and HA restarting a failed host's VMs under
admission control.
"""
