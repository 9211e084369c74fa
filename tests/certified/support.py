"""Helpers the Certified Secure tests share: independent tools run on report files."""

import subprocess


def pdfsig(database: str, path) -> str:
    """Run poppler's pdfsig; it exits 0 whatever it finds, so callers parse the text."""
    completed = subprocess.run(
        ["pdfsig", "-nssdir", database, str(path)], capture_output=True, text=True, check=False
    )
    return completed.stdout + completed.stderr
