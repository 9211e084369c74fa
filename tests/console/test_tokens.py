"""DEV-API tokens: shown once, stored hashed, role-scoped, expiring, revocable, last use kept."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from console import ratelimit
from console.models import ApiToken, AuditEvent, hash_secret
from console.tokens import authenticate_key, create_token, revoke_token

pytestmark = pytest.mark.django_db


def test_the_console_shows_a_new_key_once_and_stores_only_its_hash(client, cast):
    client.force_login(cast.a.user("owner"))

    created = client.post(reverse("tokens"), {"name": "release pipeline", "role": "devops"})
    first = client.get(created.url).content.decode()
    second = client.get(reverse("tokens")).content.decode()

    token = ApiToken.unscoped.get(name="release pipeline")
    key = next(word for word in first.split(">") if word.startswith("fbx_")).split("<")[0]
    assert token.key_hash == hash_secret(key)
    assert key not in second
    assert token.prefix in second
    event = AuditEvent.unscoped.get(action="token.created")
    assert key not in str(event.changes) and key not in event.actor_label


def _api(client, key, url="/api/v1/organization/", header=None):
    return client.get(url, HTTP_AUTHORIZATION=header if header is not None else f"Token {key}")


def test_the_api_accepts_the_token_keyword_and_the_bare_key(client, cast):
    _token, key = create_token(cast.a.organization, name="ci", role="devops")

    with_keyword = _api(client, key)
    bare = _api(client, key, header=key)

    assert with_keyword.status_code == 200
    assert with_keyword.json() == {
        "id": cast.a.organization.pk,
        "name": "Org A",
        "slug": "org-a",
        "role": "devops",
    }
    assert bare.status_code == 200


def test_it_records_when_a_token_was_last_used(client, cast):
    token, key = create_token(cast.a.organization, name="ci", role="devops")

    _api(client, key)

    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=10)


@pytest.mark.parametrize("state", ["revoked", "expired", "wrong"])
def test_it_refuses_a_revoked_expired_or_unknown_key_with_a_clear_error(client, cast, state):
    token, key = create_token(cast.a.organization, name="ci", role="devops")
    if state == "revoked":
        revoke_token(token, actor=cast.a.user("owner"))
    elif state == "expired":
        ApiToken.unscoped.filter(pk=token.pk).update(expires_at=timezone.now())
    else:
        key = key[:-4] + "AAAA"

    response = _api(client, key)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_token_acts_with_its_role_only(client, cast):
    _token, key = create_token(cast.a.organization, name="auditor bot", role="auditor")

    listing = client.get("/api/v1/audit-events/", HTTP_AUTHORIZATION=f"Token {key}")
    creating = client.post(
        "/api/v1/tokens/",
        {"name": "escalate", "role": "owner"},
        HTTP_AUTHORIZATION=f"Token {key}",
        content_type="application/json",
    )

    assert listing.status_code == 200
    assert creating.status_code == 403
    assert creating.json()["code"] == "permission_denied"


def test_an_owner_token_creates_a_token_through_the_api_and_sees_the_key_once(client, cast):
    _token, key = create_token(cast.a.organization, name="admin bot", role="owner")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}

    created = client.post(
        "/api/v1/tokens/",
        {"name": "nightly", "role": "devops"},
        content_type="application/json",
        **auth,
    )
    listed = client.get("/api/v1/tokens/", **auth)

    assert created.status_code == 201
    new_key = created.json()["key"]
    assert _api(client, new_key).json()["role"] == "devops"
    assert new_key not in listed.content.decode()
    event = AuditEvent.unscoped.get(action="token.created", target_label__startswith="nightly")
    assert event.actor_kind == "token"


def test_deleting_a_token_through_the_api_revokes_it(client, cast):
    _token, key = create_token(cast.a.organization, name="admin bot", role="owner")
    victim, victim_key = create_token(cast.a.organization, name="old", role="devops")

    response = client.delete(f"/api/v1/tokens/{victim.pk}/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 204
    assert _api(client, victim_key).status_code == 401
    assert ApiToken.unscoped.filter(pk=victim.pk, revoked_at__isnull=False).exists()


def test_api_errors_have_a_code_and_a_detail(client, cast):
    _token, key = create_token(cast.a.organization, name="admin bot", role="owner")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}

    missing = client.get("/api/v1/tokens/999999/", **auth)
    invalid = client.post(
        "/api/v1/invitations/", {"email": "nope"}, content_type="application/json", **auth
    )
    anonymous = client.get("/api/v1/tokens/")

    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert invalid.status_code == 400 and invalid.json()["code"] == "invalid"
    assert set(invalid.json()["fields"]) == {"email", "role"}
    assert anonymous.status_code in {401, 403} and "detail" in anonymous.json()


def test_an_engine_error_becomes_a_422_with_its_code(rf):
    from rest_framework.views import APIView

    from console.api import exception_handler
    from workers.engine.errors import GateError

    response = exception_handler(
        GateError("the APK has two entries named classes.dex", code="duplicate_entry"),
        {"view": APIView(), "request": rf.get("/")},
    )

    assert response.status_code == 422
    assert response.data == {
        "code": "duplicate_entry",
        "detail": "the APK has two entries named classes.dex",
    }


def test_the_api_throttles_per_organization(client, cast, monkeypatch):
    from console.api_auth import OrganizationRateThrottle

    monkeypatch.setattr(OrganizationRateThrottle, "THROTTLE_RATES", {"organization": "3/minute"})
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_020.0)  # mid-window, no rollover
    cache.clear()
    try:
        keys = [create_token(cast.a.organization, name=f"t{i}", role="owner")[1] for i in range(2)]
        other = create_token(cast.b.organization, name="b", role="owner")[1]
        codes = [_api(client, keys[i % 2]).status_code for i in range(4)]
        other_code = _api(client, other).status_code
    finally:
        cache.clear()

    assert codes == [200, 200, 200, 429]
    assert other_code == 200, "another organization has its own budget"


def test_an_owner_token_invites_through_the_api_and_the_token_is_the_recorded_actor(client, cast):
    token, key = create_token(cast.a.organization, name="admin bot", role="owner")

    response = client.post(
        "/api/v1/invitations/",
        {"email": "someone@example.test", "role": "devops"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )

    assert response.status_code == 201
    assert "/invitations/accept/" in response.json()["link"]
    event = AuditEvent.unscoped.get(action="member.invited")
    assert event.actor_token_id == token.pk


def test_a_token_read_once_is_answered_from_the_cache_until_it_is_revoked(
    client, cast, django_assert_num_queries
):
    token, key = create_token(cast.a.organization, name="poller", role="devops")
    assert authenticate_key(key).pk == token.pk

    with django_assert_num_queries(0):
        again = authenticate_key(key)
    revoke_token(token, actor=cast.a.user("owner"))

    assert again.pk == token.pk and again.organization == cast.a.organization
    assert authenticate_key(key) is None
    assert _api(client, key).status_code == 401


def test_a_cached_token_stops_working_the_moment_it_expires(cast, settings):
    settings.FUSEBOX_TOKEN_CACHE_SECONDS = 300
    expiry = timezone.now() + timedelta(seconds=1)
    _token, key = create_token(cast.a.organization, name="short", role="devops", expires_at=expiry)
    assert authenticate_key(key) is not None

    time.sleep((expiry - timezone.now()).total_seconds() + 0.05)

    assert authenticate_key(key) is None


def test_with_the_cache_off_every_request_reads_the_token(
    cast, settings, django_assert_num_queries
):
    settings.FUSEBOX_TOKEN_CACHE_SECONDS = 0
    token, key = create_token(cast.a.organization, name="strict", role="devops")
    authenticate_key(key)

    with django_assert_num_queries(1):
        assert authenticate_key(key).pk == token.pk
    ApiToken.unscoped.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert authenticate_key(key) is None


def test_the_organization_budget_is_one_atomic_counter_per_window(cast, monkeypatch):
    cache.clear()
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_000.0)
    counts = [ratelimit.hit("organization:1", 60) for _ in range(3)]
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_000.0 + 60)
    after = ratelimit.hit("organization:1", 60)
    cache.clear()

    assert counts == [1, 2, 3]
    assert after == 1, "a new window starts from zero"
    assert ratelimit.seconds_left(60) == 20, "1,000,060 s is 40 s into its minute"


def test_a_renamed_organization_shows_its_new_name_to_a_cached_token(client, cast):
    from console.models import Organization

    _token, key = create_token(cast.a.organization, name="ci", role="devops")
    assert _api(client, key).json()["name"] == "Org A"

    Organization.objects.filter(pk=cast.a.organization.pk).update(name="Org A Mobile")

    assert _api(client, key).json()["name"] == "Org A Mobile"


def test_an_oversized_limit_is_a_capped_page_and_a_far_offset_an_empty_one(client, cast):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from console.pagination import MAX_LIMIT, ApiPagination

    _token, key = create_token(cast.a.organization, name="admin", role="owner")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}

    huge = client.get("/api/v1/members/", {"limit": str(10**25), "offset": "-5"}, **auth)
    far = client.get("/api/v1/members/", {"offset": str(10**25)}, **auth)

    assert huge.status_code == 200 and huge.json()["results"]
    assert far.status_code == 200 and far.json()["results"] == []
    asked = Request(APIRequestFactory().get("/", {"limit": str(10**25)}))
    assert ApiPagination().get_limit(asked) == MAX_LIMIT
