"""Signed reports that prove what a build's output carries."""
