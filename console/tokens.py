"""DEV-API tokens: issue a key once, keep only its hash, find the token a request presents.

CI jobs poll the status endpoint many times a second, so the token a key names is kept in
the cache for ``FUSEBOX_TOKEN_CACHE_SECONDS``: the database is asked once per token and
period instead of on every request. The cached row is checked exactly like a fresh one
(hash, expiry, revocation), and revoking a token deletes its entry. Where the cache is not
shared (``CACHE_URL`` unset, several web processes), a process that still holds the entry
accepts a revoked token until it expires; expiry itself is always exact.
"""

import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from console.models import TOKEN_KEY_PREFIX, ApiToken, hash_secret
from console.tenancy import unscoped_access

logger = logging.getLogger(__name__)

# Recording every request would turn each API read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_token(organization, *, name, role, created_by=None, expires_at=None):
    """A new token and its key; the key is returned this once and never stored."""
    key, prefix = ApiToken.new_key()
    with unscoped_access():
        token = ApiToken.objects.create(
            organization=organization,
            name=name,
            role=role,
            prefix=prefix,
            key_hash=hash_secret(key),
            created_by=created_by,
            expires_at=expires_at,
        )
    return token, key


def key_from_header(header: str) -> str | None:
    """The key in ``Authorization: Token <key>`` or a bare ``Authorization: <key>``."""
    parts = header.strip().split()
    if len(parts) == 2 and parts[0].lower() in {"token", "bearer"}:
        return parts[1]
    if len(parts) == 1 and parts[0].startswith(TOKEN_KEY_PREFIX):
        return parts[0]
    return None


def _cache_key(prefix: str) -> str:
    return f"fusebox:api-token:{prefix}"


def _token_with_prefix(prefix: str) -> ApiToken | None:
    """The token row for a prefix, from the cache when it was read in the last few seconds."""
    if settings.FUSEBOX_TOKEN_CACHE_SECONDS > 0:
        cached = cache.get(_cache_key(prefix))
        if cached is not None:
            return cached

    with unscoped_access():
        candidates = ApiToken.objects.select_related("organization").filter(prefix=prefix)
        token = next(iter(candidates[:1]), None)
    if token is not None:
        _remember(token)
    return token


def _remember(token: ApiToken) -> None:
    if settings.FUSEBOX_TOKEN_CACHE_SECONDS > 0:
        cache.set(_cache_key(token.prefix), token, settings.FUSEBOX_TOKEN_CACHE_SECONDS)


def forget_cached_token(token: ApiToken) -> None:
    """Make the next request with this token read it from the database again."""
    cache.delete(_cache_key(token.prefix))


def authenticate_key(key: str) -> ApiToken | None:
    """The active token whose key this is, or None; records when it was last used."""
    prefix = key[: len(TOKEN_KEY_PREFIX) + 8]
    token = _token_with_prefix(prefix)
    if token is None or not hmac.compare_digest(token.key_hash, hash_secret(key)):
        return None
    if not token.is_active:
        logger.info("api: refused %s token %s (%s)", token.status, token.prefix, token.name)
        return None

    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.unscoped.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        _remember(token)
    return token


def revoke_token(token, *, actor, request=None) -> None:
    """Stop a token working from now on; revoking twice changes nothing."""
    if token.revoked_at is not None:
        return

    from console.audit import record_event

    token.revoked_at = timezone.now()
    ApiToken.unscoped.filter(pk=token.pk).update(revoked_at=token.revoked_at)
    forget_cached_token(token)
    record_event(
        token.organization_id,
        "token.revoked",
        actor=actor,
        request=request,
        target=token,
        changes={"name": token.name, "prefix": token.prefix},
    )
