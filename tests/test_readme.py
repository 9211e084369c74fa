"""The README's Threat-Events section names the contract the runtime really implements."""

from pathlib import Path

from workers.engine import threat_events

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_lists_every_threat_event_extra_reason_and_mode():
    section = README.read_text().split("## Threat-Events for app teams", 1)[1].split("\n## ")[0]

    assert f"**`{threat_events.EVENT_NAME}`**" in section
    for name in [extra.name for extra in threat_events.EXTRAS]:
        assert f"`{name}`" in section, name
    for code in [reason.code for reason in threat_events.REASON_CODES]:
        assert f"`{code}`" in section, code
    for mode in threat_events.MODES:
        assert f"`{mode}`" in section, mode
