"""Whole days chosen in a filter, as the instants an indexed timestamp column can compare."""

from datetime import date, datetime, time

from django.utils import timezone


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the current time zone.

    Filters compare ``created >= start_of_day(since)`` and ``created < start_of_day(until +
    1 day)``: a range the timestamp's index serves, where a ``__date`` lookup casts every row.
    """
    return timezone.make_aware(datetime.combine(day, time.min))
