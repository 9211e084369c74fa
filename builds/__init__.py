"""Uploaded apps and the builds that fuse them."""
