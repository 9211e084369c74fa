"""Changing Fusion Sets: create, update, freeze, unfreeze, clone and archive.

Every change runs in one transaction with the row locked, validates through the same gate
as the form and the import, appends an immutable revision when settings change, and writes
an audit event. Views and the DEV-API call these functions and nothing lower.
"""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from console.audit import record_event
from console.tenancy import current_organization
from fusionsets.diff import diff_snapshots
from fusionsets.documents import validate_document, validate_identity
from fusionsets.errors import FusionSetArchived, FusionSetFrozen
from fusionsets.models import FusionSet, FusionSetRevision
from fusionsets.references import check_references

logger = logging.getLogger(__name__)


def _user(actor):
    return actor if isinstance(actor, AbstractBaseUser) and actor.pk else None


def _label(actor) -> str:
    if actor is None:
        return "system"
    if _user(actor) is not None:
        return actor.get_username()
    return f"token {getattr(actor, 'name', actor)}"


def _audit(action, fusion_set, actor, request, changes) -> None:
    record_event(
        fusion_set.organization_id,
        action,
        actor=actor,
        request=request,
        target=fusion_set,
        changes=changes,
    )


def _append_revision(fusion_set, previous: dict | None, actor, comment: str):
    snapshot = fusion_set.snapshot()
    number = fusion_set.revision_number + 1
    revision = FusionSetRevision(
        organization_id=fusion_set.organization_id,
        fusion_set=fusion_set,
        number=number,
        settings=snapshot,
        diff=diff_snapshots(previous, snapshot),
        comment=(comment or "")[:500],
        created_by=_user(actor),
        created_by_label=_label(actor)[:200],
    )
    revision.save()
    fusion_set.current_revision = revision
    return revision


def validated(name, description, platform, settings) -> tuple[dict, dict]:
    """The identity fields and settings document, checked as every write checks them."""
    identity = validate_identity(name, description, platform)
    document = validate_document(settings)
    check_references(document)
    return identity, document


def create_fusion_set(
    *,
    name: str,
    description: str = "",
    platform: str = "android",
    settings: dict | None = None,
    comment: str = "",
    actor=None,
    request=None,
    cloned_from: FusionSet | None = None,
    audit_action: str = "fusionset.created",
) -> FusionSet:
    """Create a Fusion Set in the current organization with its first revision."""
    from fusionsets.documents import default_document

    identity, document = validated(name, description, platform, settings or default_document())
    with transaction.atomic():
        fusion_set = FusionSet(
            organization=current_organization(),
            settings=document,
            created_by=_user(actor),
            cloned_from=cloned_from,
            **identity,
        )
        fusion_set.save()
        revision = _append_revision(fusion_set, None, actor, comment or "Created")
        fusion_set.save(update_fields=["current_revision"])
        changes = {"name": fusion_set.name, "revision": revision.number}
        if cloned_from is not None:
            changes["cloned_from"] = str(cloned_from.pk)
        _audit(audit_action, fusion_set, actor, request, changes)

    logger.info(
        "fusion set %s created in organization %s", fusion_set.pk, fusion_set.organization_id
    )
    return fusion_set


def _locked(fusion_set: FusionSet) -> FusionSet:
    return FusionSet.objects.select_for_update().get(pk=fusion_set.pk)


def _refuse_if_unchangeable(fusion_set: FusionSet) -> None:
    if fusion_set.is_archived:
        raise FusionSetArchived(
            f"Fusion Set '{fusion_set.name}' is archived; clone it to make a changed copy"
        )
    if fusion_set.is_frozen:
        raise FusionSetFrozen(
            f"Fusion Set '{fusion_set.name}' is frozen; a security member must unfreeze it "
            "before it can change"
        )


def update_fusion_set(
    fusion_set: FusionSet,
    *,
    name: str | None = None,
    description: str | None = None,
    settings: dict | None = None,
    comment: str = "",
    actor=None,
    request=None,
) -> FusionSetRevision | None:
    """Apply a change; returns the new revision, or None when nothing changed."""
    with transaction.atomic():
        current = _locked(fusion_set)
        _refuse_if_unchangeable(current)
        identity, document = validated(
            current.name if name is None else name,
            current.description if description is None else description,
            current.platform,
            current.settings if settings is None else settings,
        )
        previous = current.snapshot()

        for key, value in identity.items():
            setattr(current, key, value)
        current.settings = document
        changes = diff_snapshots(previous, current.snapshot())
        if not changes:
            return None

        current.updated_at = timezone.now()
        revision = _append_revision(current, previous, actor, comment)
        current.save()
        _audit(
            "fusionset.updated",
            current,
            actor,
            request,
            {"revision": revision.number, "fields": [c["path"] for c in changes]},
        )

    logger.info(
        "fusion set %s saved as revision %s (%s)",
        current.pk,
        revision.number,
        ", ".join(change["path"] for change in changes),
    )
    _copy_state(current, fusion_set)
    return revision


def _copy_state(source: FusionSet, target: FusionSet) -> None:
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target.current_revision = source.current_revision


def freeze(fusion_set: FusionSet, *, actor=None, request=None) -> FusionSet:
    """Refuse every change until unfrozen: pipelines get a set that cannot move under them."""
    with transaction.atomic():
        current = _locked(fusion_set)
        if current.is_archived:
            raise FusionSetArchived(f"Fusion Set '{current.name}' is archived")
        if not current.is_frozen:
            current.frozen_at = timezone.now()
            current.frozen_by = _user(actor)
            current.save(update_fields=["frozen_at", "frozen_by"])
            _audit("fusionset.frozen", current, actor, request, {"name": current.name})
            logger.info("fusion set %s frozen by %s", current.pk, _label(actor))
    _copy_state(current, fusion_set)
    return fusion_set


def unfreeze(fusion_set: FusionSet, *, actor=None, request=None) -> FusionSet:
    with transaction.atomic():
        current = _locked(fusion_set)
        if current.is_frozen:
            current.frozen_at = None
            current.frozen_by = None
            current.save(update_fields=["frozen_at", "frozen_by"])
            _audit("fusionset.unfrozen", current, actor, request, {"name": current.name})
            logger.info("fusion set %s unfrozen by %s", current.pk, _label(actor))
    _copy_state(current, fusion_set)
    return fusion_set


def archive(fusion_set: FusionSet, *, actor=None, request=None) -> FusionSet:
    """Retire a set: it stays readable (builds name it) but cannot change or build."""
    with transaction.atomic():
        current = _locked(fusion_set)
        if not current.is_archived:
            current.archived_at = timezone.now()
            current.save(update_fields=["archived_at"])
            _audit("fusionset.archived", current, actor, request, {"name": current.name})
            logger.info("fusion set %s archived by %s", current.pk, _label(actor))
    _copy_state(current, fusion_set)
    return fusion_set


def clone(fusion_set: FusionSet, *, name: str = "", actor=None, request=None) -> FusionSet:
    """A new, unfrozen Fusion Set with the same settings and a fresh ID and history."""
    return create_fusion_set(
        name=name or f"Copy of {fusion_set.name}"[:120],
        description=fusion_set.description,
        platform=fusion_set.platform,
        settings=fusion_set.settings,
        comment=f"Cloned from '{fusion_set.name}' revision {fusion_set.revision_number}",
        actor=actor,
        request=request,
        cloned_from=fusion_set,
        audit_action="fusionset.cloned",
    )
