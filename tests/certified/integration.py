"""Fixtures of the report tests that run real builds: the builds suite's, plus helpers.

Test modules import everything from here (``from tests.certified.integration import *``) so
the builds fixtures (storage per test, test master key, trust material) apply to them only.
"""

import subprocess
from pathlib import Path

import pytest

from builds import services
from builds.models import Build
from console.tenancy import scope
from tests.builds.conftest import (
    _outside_any_scope,
    api_for,
    apps,
    build_settings,
    fusion_set_a,
    fusion_set_b,
    master_key_file,
    sent_steps,
    test_pki,
    trust_a,
    trust_b,
)
from tests.builds.material import drive
from tests.console.cast import cast

__all__ = [
    "_outside_any_scope",
    "api_for",
    "apps",
    "build_settings",
    "built",
    "cast",
    "fusion_set_a",
    "fusion_set_b",
    "master_key_file",
    "nss_for",
    "run_build",
    "sent_steps",
    "test_pki",
    "trust_a",
    "trust_b",
]


def run_build(team, app, fusion_set, **kwargs) -> Build:
    """Start a build as the team's DevOps engineer and run every step in this process."""
    with scope(team.organization):
        build = services.start_build(app, fusion_set, actor=team.user("devops"), **kwargs)
    return drive(build)


@pytest.fixture
def built(cast, apps, fusion_set_a, sent_steps):
    """A build of organization A that went through every step, report included."""
    build = run_build(cast.a, apps.upload(cast.a), fusion_set_a)
    assert build.status == Build.SUCCEEDED, build.reason_message
    return build


def nss_for(directory: Path, ca_pem: bytes) -> str:
    """An NSS database trusting ``ca_pem``, as an auditor's PDF reader would."""
    ca = directory / "ca.pem"
    ca.write_bytes(ca_pem)
    database = f"sql:{directory}"
    subprocess.run(["certutil", "-N", "--empty-password", "-d", database], check=True)
    subprocess.run(
        ["certutil", "-A", "-n", "Fusebox report CA", "-t", "CT,C,C", "-i", str(ca), "-d",
         database],
        check=True,
    )  # fmt: skip
    return database
