"""vlab: small, honest models of VMware ESX/vSphere for learning in Jupyter."""

__version__ = "0.1.0"
