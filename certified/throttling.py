"""Rate limit of the public verification page and API, per client address.

Both count against the same budget (``FUSEBOX_VERIFY_RATE``, default 30/minute) so a script
cannot double its share by switching between the page and the API.
"""

import logging
import time

from django.core.cache import cache

from certified import conf
from console.audit import client_ip

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate() -> tuple[int, int]:
    count, _slash, period = conf.verify_rate().partition("/")
    return int(count), PERIODS[period.strip()[:1]]


def over_limit(request) -> bool:
    """Count this request; True when its address spent its budget for the current window."""
    allowed, seconds = _rate()
    address = client_ip(request) or "unknown"
    window = int(time.time() // seconds)
    key = f"fusebox:verify:{address}:{window}"
    cache.add(key, 0, timeout=seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=seconds + 5)
        used = 1
    if used > allowed:
        logger.info("verification refused for %s: over %s per %s s", address, allowed, seconds)
        return True
    return False


def retry_after() -> int:
    _allowed, seconds = _rate()
    return seconds - int(time.time()) % seconds
