"""Pages of DEV-API lists: ``limit``/``offset`` with a ceiling on ``limit``.

Without a ceiling a client asking for ``limit=10**25`` reaches the database with a LIMIT it
cannot hold and gets a 500; with it, an oversized ``limit`` is a full page of
``MAX_LIMIT`` rows. An ``offset`` past the end is an empty page (DRF compares it with the
count before it queries the rows).
"""

from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 1000


class ApiPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
