"""Security (labs 07, 08 and 11): hardening audits of a .vmx and of a host against VMware's guides,
online password guessing against a management endpoint, and what gives a VM away to its guest
(fingerprinting).
"""
