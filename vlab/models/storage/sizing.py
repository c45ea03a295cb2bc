"""Table 2 of "Scalable Storage Performance" (VMware, ESX 3.5, 2008): LUN sizing by queue depths.

What it imitates: the paper's rule for how many VMs can share one VMFS volume without their
commands queueing: with n the outstanding commands the array is good for per LUN, a the average
active commands per VM and d the LUN queue depth on each host, a host takes m = d/a VMs and the
volume n/a VMs. Left out: the array's real behaviour past n (see vlab.models.storage.simulation.simulate),
several LUNs per array port (Epping's and Hitachi's per-port formulas).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LunSizing", "lun_sizing"]


@dataclass(frozen=True)
class LunSizing:
    """Table 2 of "Scalable Storage Performance": how many VMs a shared VMFS volume can take."""

    array_queue_limit: int  # n, outstanding I/O the array is good for, per LUN
    active_per_vm: int  # a, average active SCSI commands per VM
    host_queue_depth: int  # d, LUN queue depth on each ESX host
    vms_per_host: int  # m = d / a
    vms_per_volume: int  # n / a


def lun_sizing(array_queue_limit: int, active_per_vm: int, host_queue_depth: int) -> LunSizing:
    """VMs per host (d/a) and per VMFS volume (n/a) so that no command waits in a queue.

    Example (first row of Table 2): lun_sizing(256, 4, 32) -> 8 VMs per host, 64 per volume.
    Fractions round down: a ninth VM at a = 4, d = 32 would already queue in the VMkernel.
    """
    for name, v in (("array_queue_limit", array_queue_limit), ("active_per_vm", active_per_vm),
                    ("host_queue_depth", host_queue_depth)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be a whole number of commands >= 1, got {v!r}")
    return LunSizing(array_queue_limit, active_per_vm, host_queue_depth,
                     host_queue_depth // active_per_vm, array_queue_limit // active_per_vm)
