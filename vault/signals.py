"""Signals other apps listen to, so the vault never needs to know who holds wrapped keys."""

from django.dispatch import Signal

# Sent after every organization data key is wrapped under the newest master key version.
# Apps that wrap their own keys with the master key re-wrap them in a receiver, before the
# operator removes the old version from the key file.
master_key_rotated = Signal()
