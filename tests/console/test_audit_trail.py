"""The audit trail: hash-chained per organization, tamper-evident, append-only."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import RequestFactory

from console.audit import GENESIS_HASH, REDACTED, record_event, verify_chain
from console.models import AuditEvent, AuditTrailIsAppendOnly
from console.tokens import create_token

pytestmark = pytest.mark.django_db


def _three_events(organization, actor):
    return [
        record_event(organization, "member.invited", actor=actor, changes={"email": "x@y.test"}),
        record_event(organization, "token.created", actor=actor, changes={"name": "ci"}),
        record_event(organization, "member.role_changed", actor=actor, changes={"to": "devops"}),
    ]


def test_it_chains_each_event_to_the_previous_one_of_the_same_organization(cast):
    first, second, third = _three_events(cast.a.organization, cast.a.user("owner"))
    other = record_event(cast.b.organization, "token.created")

    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert other.sequence == 1 and other.previous_hash == GENESIS_HASH
    assert verify_chain(cast.a.organization.pk) is None


def test_it_records_actor_source_address_and_target(cast):
    request = RequestFactory().post("/members/invite/", REMOTE_ADDR="203.0.113.7")
    request.user = cast.a.user("owner")
    token, _key = create_token(cast.a.organization, name="pipeline", role="devops")

    by_user = record_event(cast.a.organization, "member.invited", request=request, target=token)
    by_token = record_event(cast.a.organization, "build.started", actor=token)

    assert by_user.actor_user_id == cast.a.user("owner").pk
    assert by_user.actor_label == "a-owner"
    assert by_user.source_ip == "203.0.113.7"
    assert by_user.target_type == "console.apitoken"
    assert by_user.target_id == str(token.pk)
    assert by_token.actor_kind == "token"
    assert token.prefix in by_token.actor_label


def test_it_never_stores_a_value_under_a_secret_looking_key(cast):
    event = record_event(
        cast.a.organization,
        "identity.added",
        changes={"name": "ci", "password": "hunter2", "nested": {"private_key": "-----BEGIN"}},
    )

    event.refresh_from_db()
    assert event.changes == {
        "name": "ci",
        "password": REDACTED,
        "nested": {"private_key": REDACTED},
    }
    assert "hunter2" not in str(AuditEvent.unscoped.values_list("changes", flat=True))


def test_it_refuses_to_change_or_delete_an_event_through_the_orm(cast):
    event = record_event(cast.a.organization, "member.invited")

    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()


def _tamper(sql, params):
    """Change rows behind the ORM's back, as someone with database superuser access could.

    On PostgreSQL the append-only trigger is bypassed for this transaction only.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_verify_audit_names_the_first_row_whose_summary_was_edited(cast):
    _first, second, _third = _three_events(cast.a.organization, cast.a.user("owner"))
    edited = '{"name": "other"}'
    _tamper("UPDATE console_auditevent SET changes = %s WHERE id = %s", [edited, second.pk])

    with pytest.raises(CommandError, match="broken in 1 organization"):
        call_command("verify_audit")

    problem = verify_chain(cast.a.organization.pk)
    assert problem.startswith(f"audit event id={second.pk} (#2, token.created)")


def test_verify_audit_names_the_row_after_a_deleted_one(cast):
    _first, second, third = _three_events(cast.a.organization, cast.a.user("owner"))
    _tamper("DELETE FROM console_auditevent WHERE id = %s", [second.pk])

    assert verify_chain(cast.a.organization.pk).startswith(f"audit event id={third.pk} (#3)")


def test_verify_audit_passes_an_intact_trail(cast, capsys):
    _three_events(cast.a.organization, cast.a.user("owner"))

    call_command("verify_audit")

    assert "ok org-a" in capsys.readouterr().out


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_on_the_audit_table(cast):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    from django.db import InternalError, ProgrammingError

    event = record_event(cast.a.organization, "member.invited")
    refused = (InternalError, ProgrammingError)

    with (
        pytest.raises(refused, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE console_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    with (
        pytest.raises(refused, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM console_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.unscoped.get(pk=event.pk).action == "member.invited"


@pytest.mark.postgres
def test_concurrent_writers_extend_one_chain_without_forking(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections need PostgreSQL")
    import threading

    from django.db import connections

    from tests.console.factories import OrganizationFactory

    organization = OrganizationFactory()
    errors = []

    def write(worker: int) -> None:
        try:
            for n in range(10):
                record_event(organization, "build.started", changes={"worker": worker, "n": n})
        except Exception as error:  # reported below with the worker number
            errors.append(f"worker {worker}: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sequences = list(
        AuditEvent.unscoped.filter(organization=organization)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert errors == []
    assert sequences == list(range(1, 41))
    assert verify_chain(organization.pk) is None


def test_it_takes_the_token_from_the_request_when_no_actor_is_given(cast):
    token, _key = create_token(cast.a.organization, name="pipeline", role="devops")
    request = RequestFactory().post("/api/v1/anything/")
    request.api_token = token

    event = record_event(cast.a.organization, "build.started", request=request)

    assert event.actor_token_id == token.pk
