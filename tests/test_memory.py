"""Memory virtualization and TPS against counting arguments: machine pages = distinct (salt, contents)
pairs, savings = guest pages - machine pages, copy-on-write, salting rules of KB 2097593."""
from __future__ import annotations

import pytest

from vlab.models.vmkernel.memory import Host, VmMemory, guest_vms, vm_salt


def distinct_pairs(vms, salting):
    return len({(vm_salt(vm, salting), page) for vm in vms for page in vm.pages})


@pytest.mark.parametrize("salting", [0, 1, 2])
@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.9])
def test_machine_pages_equal_distinct_salt_content_pairs(salting, fraction):
    vms = guest_vms(4, 128, fraction, seed=2)
    host = Host.boot(vms, salting, seed=2)
    assert host.stats().machine_pages == 4 * 128  # before the scan nothing is shared
    host.scan()
    stats = host.stats()
    assert stats.machine_pages == distinct_pairs(vms, salting)
    assert stats.saved_pages == stats.guest_pages - stats.machine_pages == 4 * 128 - distinct_pairs(vms, salting)


def test_a_second_scan_finds_nothing_new():
    host = Host.boot(guest_vms(3, 64, 0.5, seed=1), 0, seed=1)
    assert host.scan() > 0
    assert host.scan() == 0


def test_salting_2_shares_only_within_a_vm():
    vms = guest_vms(3, 100, 0.8, seed=4)
    host = Host.boot(vms, 2, seed=4)
    host.scan()
    per_vm = sum(len(set(vm.pages)) for vm in vms)  # each VM keeps one copy of each of its own contents
    assert host.stats().machine_pages == per_vm
    owners = {}
    for vm, pmap in host.pmap.items():
        for mpn in pmap:
            owners.setdefault(mpn, set()).add(vm)
    assert all(len(vms_of_page) == 1 for vms_of_page in owners.values())


def test_salting_0_shares_identical_pages_across_vms():
    page = b"same-os-page....".ljust(16, b".")
    vms = [VmMemory("a", (page,)), VmMemory("b", (page,)), VmMemory("c", (page,))]
    host = Host.boot(vms, 0)
    host.scan()
    assert host.stats().machine_pages == 1 and host.stats().saved_pages == 2


def test_salting_with_a_common_salt_groups_vms():
    page = b"x" * 16
    vms = [VmMemory("a", (page,), "u1", "tenantA"), VmMemory("b", (page,), "u2", "tenantA"),
           VmMemory("c", (page,), "u3", "tenantB"), VmMemory("d", (page,), "u4")]
    two = Host.boot(vms, 2)
    two.scan()
    assert two.stats().machine_pages == 3  # {a, b}, {c}, {d by its vc.uuid}
    one = Host.boot(vms, 1)
    one.scan()
    assert one.stats().machine_pages == 3  # {a, b}, {c}, {d with the default salt}
    assert vm_salt(vms[3], 1) == vm_salt(VmMemory("e", (page,), "u5"), 1)  # unsalted VMs share under 1
    assert vm_salt(vms[3], 2) != vm_salt(VmMemory("e", (page,), "u5"), 2)  # but not under 2


def test_copy_on_write_breaks_sharing_and_the_guest_sees_its_own_write():
    page = b"p" * 16
    vms = [VmMemory("a", (page, page)), VmMemory("b", (page,))]
    host = Host.boot(vms, 0, seed=0)
    host.scan()
    assert host.stats().machine_pages == 1
    before = host.translate("a", 0)[1]
    host.write("a", 0, b"new-contents....")
    assert host.translate("a", 0)[1] != before  # a new private machine page
    assert host.read("a", 0) == b"new-contents...."
    assert host.read("b", 0) == page and host.read("a", 1) == page  # the others still see the old bytes
    stats = host.stats()
    assert stats.cow_breaks == 1 and stats.machine_pages == 2


def test_page_sharing_is_transparent_to_the_guest():
    vms = guest_vms(3, 64, 0.6, seed=9)
    host = Host.boot(vms, 0, seed=9)
    before = {(vm.name, g): host.read(vm.name, g) for vm in vms for g in range(64)}
    host.scan()
    for (name, gvpn), contents in before.items():
        gppn, _ = host.translate(name, gvpn)
        assert host.read(name, gvpn) == contents == vms[int(name[2:]) - 1].pages[gppn]


def test_writing_an_unshared_page_does_not_copy():
    host = Host.boot([VmMemory("a", (b"u" * 16,))], 2)
    host.scan()
    mpn = host.translate("a", 0)[1]
    host.write("a", 0, b"v" * 16)
    assert host.translate("a", 0)[1] == mpn and host.stats().cow_breaks == 0


def test_guest_page_tables_are_seeded_permutations():
    vms = guest_vms(2, 50, 0.2, seed=1)
    a, b = Host.boot(vms, 2, seed=1), Host.boot(vms, 2, seed=1)
    assert a.guest_page_table == b.guest_page_table
    assert sorted(a.guest_page_table["vm1"]) == list(range(50))
    assert guest_vms(2, 50, 0.2, seed=1) == vms


@pytest.mark.parametrize("call, match", [
    (lambda: vm_salt(VmMemory("a", ()), 3), "0, 1 or 2"),
    (lambda: guest_vms(2, 10, 1.5), "fraction"),
    (lambda: guest_vms(0, 10, 0.5), "at least one"),
    (lambda: Host.boot([VmMemory("a", ()), VmMemory("a", ())]), "unique"),
])
def test_bad_input_says_what_to_change(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_unknown_vm_is_named():
    host = Host.boot(guest_vms(1, 4, 0.0), 2)
    with pytest.raises(KeyError, match="vm1"):
        host.translate("nope", 0)
