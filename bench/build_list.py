"""The console's build list with 100,000 builds in PostgreSQL: p95 of a page view.

Creates a fresh PostgreSQL database, migrates it, inserts 100,000 builds for one
organization (and 20,000 for another, so the organization filter matters), then times the
first page, the status, app, Fusion Set, requester and date filters, and a page deep in
the keyset cursor. The builds span about eight days, seven requesters in turn.
Target: p95 <= 150 ms.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta

TARGET_P95_MS = 150.0
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/fusebox_builds"
STATUSES = ["succeeded"] * 8 + ["failed", "cancelled"]


def _fresh_database() -> str:
    import psycopg2

    base = os.environ.get("DATABASE_URL", DEFAULT_DATABASE).rpartition("/")[0]
    name = f"fusebox_builds_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return f"{base}/{name}"


def _drop(url: str) -> None:
    import psycopg2

    base, _, name = url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _seed(count: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from builds.models import Build
    from console.models import Membership
    from console.tenancy import unscoped_access
    from tests.builds.factories import AppFactory
    from tests.console.factories import OrganizationFactory
    from tests.fusionsets.factories import FusionSetFactory

    organizations = [OrganizationFactory(slug="bench-a"), OrganizationFactory(slug="bench-b")]
    user = get_user_model().objects.create_user("bench-auditor")
    now = timezone.now()
    sets = {}
    apps_of_first = []
    with unscoped_access():
        Membership.objects.create(organization=organizations[0], user=user, role="auditor")
        for organization, total in zip(organizations, (count, count // 5), strict=True):
            apps = [AppFactory(organization=organization) for _ in range(20)]
            apps_of_first = apps if organization is organizations[0] else apps_of_first
            sets[organization.pk] = [FusionSetFactory(organization=organization) for _ in range(5)]
            rows = [
                Build(
                    organization=organization,
                    app=apps[index % 20],
                    fusion_set=sets[organization.pk][index % 5],
                    plan={"revision_number": 1},
                    signing_method="fusebox",
                    status=STATUSES[index % len(STATUSES)],
                    requested_by_label=f"ci-{index % 7}",
                    created_at=now - timedelta(seconds=index * 7),
                )
                for index in range(total)
            ]
            Build.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return user, sets[organizations[0].pk][0], apps_of_first[0], (now - timedelta(days=7)).date()


def _time(client, url: str, rounds: int) -> list[float]:
    client.get(url)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build_list", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="30 timed views instead of 100")
    parser.add_argument("--builds", type=int, default=100_000)
    args = parser.parse_args(argv)

    url = _fresh_database()
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "console.settings",
            "FUSEBOX_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        user, fusion_set, app, old_day = _seed(args.builds)
        seeded = time.perf_counter() - started
        client = Client()
        client.force_login(user)
        first = client.get("/builds/")
        deep = first
        for _ in range(20):
            deep = client.get("/builds/?" + deep.context["next_query"])
        rounds = 30 if args.quick else 100
        cases = {
            "first page": "/builds/",
            "status=failed": "/builds/?status=failed",
            "one Fusion Set": f"/builds/?fusion_set={fusion_set.pk}",
            "one app": f"/builds/?app={app.pk}",
            "who=ci-3": "/builds/?who=ci-3",
            "until a week ago": f"/builds/?until={old_day.isoformat()}",
            "since a week ago, who": f"/builds/?since={old_day.isoformat()}&who=ci-5",
            "21st page (cursor)": "/builds/?" + deep.context["next_query"],
        }
        results = {name: _time(client, path, rounds) for name, path in cases.items()}
    finally:
        from django.db import connections

        connections.close_all()
        _drop(url)

    print(f"build list, {args.builds} builds in the organization ({seeded:.0f} s to insert), "
          f"{rounds} views each, PostgreSQL")  # fmt: skip
    print(f"{'view':<22} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for name, timings in results.items():
        p95 = statistics.quantiles(timings, n=20)[-1]
        worst = max(worst, p95)
        print(f"{name:<22} {statistics.median(timings):>8.1f} {p95:>8.1f}")
    ok = worst <= TARGET_P95_MS
    print(f"target p95 <= {TARGET_P95_MS} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
