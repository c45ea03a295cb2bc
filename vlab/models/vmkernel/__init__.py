"""The VMkernel: how ESX runs a guest's code and memory (lab 01; ht_sharing also lab 07).

cpu_sched (worlds time-sliced onto physical CPUs, shares, reservations and limits), binary_translation
(guest kernel code rewritten on demand), memory (three address spaces and transparent page sharing) and
ht_sharing (vCPUs placed on the two hardware threads of a core, and the side channel that follows).
"""
