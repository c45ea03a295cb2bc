"""Lab 09's checker (size the cluster for 40 VMs): the hints name the idea (Table 2's d/a, Little's law),
then which way to move the design, and the exact lines only from the third failed check.
See tests/test_checker_hints.py."""
from vlab.exercises.scalability import STARTING_TEXT, check_cluster_design

# the instructor's solution (labs/09_scalability.ipynb, instructor notes): Table 2's 5 x 8, and a back end
# fast enough for 8,000 IOPS
SOLUTION = """hosts = 5
vms_per_host = 8
queue_depth = 32
dsnro = 32
spindles = 96
raid = 10
cache_hit_ratio = 0.0
"""

CASES = [
    dict(exercise="size-the-cluster", check=check_cluster_design, start=STARTING_TEXT, solution=SOLUTION,
         values=("hosts = 5", "vms_per_host = 8", "spindles = 96", "raid = 10", "= 128"),
         follow=None),
]
