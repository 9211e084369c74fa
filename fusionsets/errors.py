"""Errors of Fusion Sets: each carries a stable code and says what to fix.

They derive from the engine's ``RejectedInput`` so the DEV-API answers them as 422 with the
code unchanged, and the console shows the message next to the field it names.
"""

from workers.engine.errors import RejectedInput


class FusionSetError(RejectedInput):
    """A Fusion Set change or document was refused; ``field`` names the setting at fault."""

    code = "fusionset_invalid"

    def __init__(self, message: str, code: str | None = None, field: str = ""):
        super().__init__(message, code)
        self.field = field


class SettingsInvalid(FusionSetError):
    """The settings document breaks a rule of the catalog."""

    code = "settings_invalid"


class FusionSetFrozen(FusionSetError):
    """The Fusion Set is frozen; a security member must unfreeze it first."""

    code = "fusionset_frozen"


class FusionSetArchived(FusionSetError):
    """The Fusion Set is archived and can no longer change or build."""

    code = "fusionset_archived"


class ImportRefused(FusionSetError):
    """An exported document could not be imported."""

    code = "import_invalid"


class RevisionImmutable(RuntimeError):
    """Code tried to change or delete a stored revision (a programming error)."""
