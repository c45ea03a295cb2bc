"""Virtual networking: a standard vSwitch with port groups, virtual ports, uplinks, VLANs (VGT, EST,
VST) and its security policy (lab 02; lab 07 crosses its VLANs, lab 08 hardens it).
"""
