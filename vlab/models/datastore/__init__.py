"""A VMFS datastore and the files of a VM's folder (labs 05 and 06).

volume (a datastore: its free space and the VM folders on it) creates vm (a VM whose operations create,
change and remove files); vm_folder reads a real folder back and says what looks wrong; backup copies
a datastore's VMs three ways (LUN copies, VCB, VADP) and restores one.
"""
