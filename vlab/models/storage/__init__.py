"""The storage path from a guest's SCSI command to the LUN (labs 03, 09 and 10).

simulation (the seeded simpy run reported in esxtop's terms) drives path (the engine: host queues, the
link, the array's per-LUN queue, SCSI reservations); stats and sizing summarise it (percentiles,
Table 2's LUN sizing); queueing holds the textbook oracles it is tested against; rdm compares a VMFS
virtual disk with a raw device mapping.
"""
