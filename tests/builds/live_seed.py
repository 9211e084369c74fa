"""Run inside a live stack's environment: seed an organization, or run the reaper once.

``python -m tests.builds.live_seed seed KEYSTORE ALIAS PASSWORD`` prints JSON with DevOps,
owner and security tokens and a ready Fusion Set id; ``python -m tests.builds.live_seed
reap`` runs the reaper.
"""

import json
import os
import sys
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()


def seed(keystore: str, alias: str, password: str) -> dict:
    from django.contrib.auth import get_user_model

    from console.models import Membership, Organization
    from console.tenancy import scope, unscoped_access
    from console.tokens import create_token
    from tests.builds import material

    organization = Organization.objects.create(name="Live", slug="live")
    with unscoped_access():
        user = get_user_model().objects.create_user("live-devops", password=None)
        security = get_user_model().objects.create_user("live-security", password=None)
        owner = get_user_model().objects.create_user("live-owner", password=None)
        Membership.objects.create(organization=organization, user=owner, role="owner")
        Membership.objects.create(organization=organization, user=user, role="devops")
        Membership.objects.create(organization=organization, user=security, role="security")
    pki = material.PKI(
        type("Keystore", (), {"path": Path(keystore), "alias": alias, "password": password})
    )
    trust = material.add_material(organization, pki)
    team = type("Team", (), {"organization": organization, "user": lambda self, r: security})()
    fusion_set = material.ready_fusion_set(team, trust)
    with scope(organization):
        _token, key = create_token(organization, name="ci", role="devops")
        _token, owner_key = create_token(organization, name="admin", role="owner")
        _token, security_key = create_token(organization, name="sec", role="security")
    return {
        "token": key,
        "owner_token": owner_key,
        "security_token": security_key,
        "fusion_set_id": str(fusion_set.pk),
        "organization_id": organization.pk,
        "ca_pem": trust.ca.certificate_pem,
    }


def reap() -> dict:
    from workers.reaper import reap_builds

    return {"handled": reap_builds()}


if __name__ == "__main__":
    _setup()
    command = sys.argv[1]
    result = seed(*sys.argv[2:5]) if command == "seed" else reap()
    print("LIVE-SEED " + json.dumps(result))
