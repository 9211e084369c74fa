"""Fixed-window request counters in the shared cache, for limits that hold across processes.

Each key gets one counter per window, raised with the cache's atomic ``incr`` (Redis
``INCR`` in production), so concurrent web processes never lose a count and a request costs
two cache round trips whatever the budget. A log of every request's time, as DRF's own
throttles keep, is read and rewritten whole on each request instead: its cost grows with
the budget and two processes writing it at once drop each other's entries. The price of a
fixed window is that a client can spend up to twice its budget across a window boundary.
"""

import time

from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

clock = time.time  # seconds since the epoch; windows start at whole multiples of their length


def parse_rate(rate: str) -> tuple[int, int]:
    """``"1200/minute"`` as (1200, 60): requests allowed and window length in seconds."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[:1]]


def hit(name: str, seconds: int) -> int:
    """Count one request against ``name`` in the current window; the count so far."""
    window = int(clock() // seconds)
    key = f"fusebox:rate:{name}:{window}"
    try:
        return cache.incr(key)
    except ValueError:
        if cache.add(key, 1, timeout=seconds + 5):
            return 1
    return cache.incr(key)


def seconds_left(seconds: int) -> int:
    """Seconds until the current window ends and every counter starts again."""
    return seconds - int(clock()) % seconds
