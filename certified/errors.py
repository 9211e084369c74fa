"""Errors raised while building, signing or checking a Certified Secure report.

They reuse the engine's error family so the CLI, the API and the console show the same
stable ``code`` and one-line ``message`` for every failure.
"""

from workers.engine.errors import EngineError, RejectedInput


class ReportSchemaError(RejectedInput):
    """The report facts do not fit the versioned schema; the message names the field."""

    code = "report_schema"


class ReportAuthorityError(EngineError):
    """The report-signing key material is unusable; the message says what to supply."""

    code = "report_authority"


class ReportRenderError(EngineError):
    """The report could not be rendered to PDF."""

    code = "report_render"
