"""Render a report's facts to a PDF a person wants to read (WeasyPrint from a Django template).

The template only places text: every date, duration and count is formatted here, so the
template needs no Django settings and renders the same in a worker, the CLI or a test. The
canonical JSON is embedded in the PDF as ``report.json`` so the signed PDF carries the
machine-readable facts (report id, build id) that verification reads back.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import segno
from django.template import Context, Engine
from django.utils.safestring import mark_safe

from certified.errors import ReportRenderError
from certified.report import EMBEDDED_JSON_NAME, Report, canonical_json

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "certified/report.html"
STYLESHEET = TEMPLATES / "certified" / "report.css"

# Beyond this many audit events the PDF shows the first and last half of the trail and
# says how many sit in between; the signed JSON twin always lists every event.
AUDIT_ROWS_IN_PDF = 400
_ZERO_WIDTH_SPACE = "\u200b"


@dataclass(frozen=True)
class AuditWindow:
    """The audit rows the PDF prints and how many it leaves to the JSON twin."""

    head: list
    tail: list
    omitted: int


def render_report_html(report: Report) -> str:
    """The report as HTML (useful to preview in a browser; the PDF is made from it)."""
    template = _engine().get_template(TEMPLATE_NAME)
    context = Context(_context(report), autoescape=True, use_l10n=False, use_tz=False)
    return template.render(context)


def render_report_pdf(report: Report) -> bytes:
    """The report as an unsigned PDF with the canonical JSON embedded."""
    import weasyprint  # Loaded on first use: it pulls Pango and fonts in (~0.3 s).

    html = render_report_html(report)
    try:
        document = weasyprint.HTML(string=html, url_fetcher=_no_fetching(), base_url="/")
        return document.write_pdf(
            stylesheets=[_stylesheet()],
            attachments=[
                weasyprint.Attachment(
                    string=canonical_json(report),
                    name=EMBEDDED_JSON_NAME,
                    description="Certified Secure report facts (canonical JSON, schema v1)",
                    url_fetcher=_no_fetching(),
                )
            ],
        )
    except Exception as error:
        # WeasyPrint raises from many layers (CSS, fonts, Pango); all mean the same to callers.
        logger.error("report %s: PDF rendering failed: %s", report.report_id, error)
        raise ReportRenderError(f"report {report.report_id} could not be rendered") from error


def qr_code_svg(url: str) -> str:
    """The verification link as an inline SVG QR code (medium error correction)."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff")


def format_duration(milliseconds: int) -> str:
    """Durations as a person reads them: 850 ms, 4.2 s, 3 min 05 s, 1 h 02 min."""
    if milliseconds < 1000:
        return f"{milliseconds} ms"
    seconds = milliseconds / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024 or unit == "GiB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


def format_moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def audit_window(events: tuple, limit: int = AUDIT_ROWS_IN_PDF) -> AuditWindow:
    if len(events) <= limit:
        return AuditWindow(head=list(events), tail=[], omitted=0)
    half = limit // 2
    return AuditWindow(
        head=list(events[:half]), tail=list(events[-half:]), omitted=len(events) - 2 * half
    )


def _setting_text(value) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(_setting_text(item) for item in value) or "none"
    return str(value)


def breakable(text: str, longest: int = 30) -> str:
    """Let very long tokens (hashes, URLs) wrap inside the audit listing's summary column.

    CSS ``overflow-wrap`` would do it too but costs about 15% of a 200-event render, so a
    zero-width space is added only inside the rare tokens that need it.
    """
    return re.sub(
        rf"[^\s\u200b]{{{longest + 1},}}",
        lambda match: _ZERO_WIDTH_SPACE.join(
            match[0][index : index + longest] for index in range(0, len(match[0]), longest)
        ),
        text,
    )


# Listing columns (characters): time, scope, action, actor; the summary takes the rest.
_TIME_WIDTH = 19
_SCOPE_WIDTH = 10
_ACTION_WIDTH = (18, 32)
_ACTOR_WIDTH = (10, 18)
_COLUMN_GAP = "  "


def _column_width(values, bounds: tuple[int, int]) -> int:
    """Fit the longest value, within bounds; a longer value pushes its own line only."""
    longest = max((len(value) for value in values), default=0)
    return max(bounds[0], min(bounds[1], longest))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def audit_listing(events: tuple) -> tuple[str, list[str], list[str], int, int]:
    """The audit trail as aligned text lines: (header, head lines, tail lines, omitted,
    hanging indent in characters for wrapped summaries)."""
    window = audit_window(events)
    shown = window.head + window.tail
    action_width = _column_width([event.action for event in shown], _ACTION_WIDTH)
    actor_width = _column_width([_one_line(event.actor) for event in shown], _ACTOR_WIDTH)
    widths = (_TIME_WIDTH, _SCOPE_WIDTH, action_width, actor_width)

    def line(fields: tuple[str, ...], summary: str) -> str:
        columns = [value.ljust(width) for value, width in zip(fields, widths, strict=True)]
        return " " + _COLUMN_GAP.join([*columns, summary])

    def event_line(event) -> str:
        scope = "fusion set" if event.scope == "fusion_set" else "build"
        fields = (event.at.strftime("%Y-%m-%d %H:%M:%S"), scope, event.action)
        return line((*fields, _one_line(event.actor)), breakable(_one_line(event.summary)))

    header = line(("Time (UTC)", "Scope", "Action", "Actor"), "Summary")
    indent = 1 + sum(widths) + len(_COLUMN_GAP) * len(widths)
    return (
        header,
        [event_line(event) for event in window.head],
        [event_line(event) for event in window.tail],
        window.omitted,
        indent,
    )


def _context(report: Report) -> dict:
    header, head, tail, omitted, indent = audit_listing(report.audit_events)
    actions = Counter(event.action for event in report.audit_events)
    total_ms = sum(step.duration_ms for step in report.timeline)
    return {
        "report": report,
        "issued": format_moment(report.issued_at),
        "issued_date": report.issued_at.strftime("%d %B %Y"),
        "input_size": format_size(report.input.size),
        "output_size": format_size(report.output.size),
        "schemes": ", ".join(report.output_signer.schemes),
        "qr_svg": mark_safe(qr_code_svg(report.verification_url)),  # noqa: S308 (segno output)
        "protections": [
            {
                "protection": protection,
                "status_label": protection.status.replace("_", " "),
                "settings": [
                    (name, _setting_text(value)) for name, value in protection.settings.items()
                ],
            }
            for protection in report.protections
        ],
        "threat_status_label": report.threat_event_check.status.replace("_", " "),
        "verified_count": sum(1 for item in report.protections if item.status == "verified"),
        "timeline": [
            {
                "step": step.step,
                "status": step.status,
                "started": step.started_at.strftime("%H:%M:%S"),
                "ended": step.ended_at.strftime("%H:%M:%S"),
                "duration": format_duration(step.duration_ms),
            }
            for step in report.timeline
        ],
        "timeline_total": format_duration(total_ms),
        "audit_header": header,
        "audit_head": head,
        "audit_tail": tail,
        "audit_omitted": omitted,
        "audit_indent": indent,
        "audit_count": len(report.audit_events),
        "audit_actions": sorted(actions.items(), key=lambda item: (-item[1], item[0])),
        "audit_first": format_moment(report.audit_events[0].at) if report.audit_events else "",
        "audit_last": format_moment(report.audit_events[-1].at) if report.audit_events else "",
        "audit_actors": len({event.actor for event in report.audit_events}),
    }


@cache
def _engine() -> Engine:
    # A standalone engine: rendering must not depend on Django settings being configured.
    return Engine(dirs=[str(TEMPLATES)], autoescape=True, debug=False)


@cache
def _stylesheet():
    import weasyprint

    return weasyprint.CSS(filename=str(STYLESHEET), url_fetcher=_no_fetching())


def _no_fetching():
    """Reports are self-contained: nothing in them may make the renderer fetch a URL."""
    import weasyprint

    return weasyprint.URLFetcher(allowed_protocols=frozenset())
