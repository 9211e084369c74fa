"""Rate limit of the public verification page and API, per client address.

Both count against the same budget (``FUSEBOX_VERIFY_RATE``, default 30/minute) so a script
cannot double its share by switching between the page and the API.
"""

import logging

from certified import conf
from console import ratelimit
from console.audit import client_ip

logger = logging.getLogger(__name__)


def over_limit(request) -> bool:
    """Count this request; True when its address spent its budget for the current window."""
    allowed, seconds = ratelimit.parse_rate(conf.verify_rate())
    address = client_ip(request) or "unknown"
    if ratelimit.hit(f"verify:{address}", seconds) > allowed:
        logger.info("verification refused for %s: over %s per %s s", address, allowed, seconds)
        return True
    return False


def retry_after() -> int:
    _allowed, seconds = ratelimit.parse_rate(conf.verify_rate())
    return ratelimit.seconds_left(seconds)
