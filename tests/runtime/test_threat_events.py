"""The Threat-Event contract: one description, matched by the docs and the runtime source."""

import re
from pathlib import Path

from workers.engine import threat_events
from workers.engine.runtime.dex_patch import RUNTIME_DEX_PATH

DOC = Path(__file__).resolve().parents[2] / "docs" / "threat-events.md"
SMALI_DIR = RUNTIME_DEX_PATH.with_name("smali")


def smali_strings() -> set[str]:
    text = "\n".join(p.read_text() for p in SMALI_DIR.rglob("*.smali"))
    return set(re.findall(r'const-string v\d+, "([^"]*)"', text))


def test_the_docs_are_generated_from_the_contract():
    # Regenerate with: python -m workers.engine.threat_events > docs/threat-events.md
    assert DOC.read_text() == threat_events.render_markdown()


def test_the_runtime_source_names_every_documented_extra():
    strings = smali_strings()

    missing = {extra.name for extra in threat_events.EXTRAS} - strings

    assert not missing


def test_every_reason_code_the_runtime_raises_is_documented():
    raised = {s for s in smali_strings() if re.fullmatch(r"Identity[A-Z]\w+|\w+Failure", s)}
    documented = {reason.code for reason in threat_events.REASON_CODES}

    assert raised == documented


def test_the_event_name_and_modes_match_the_runtime():
    strings = smali_strings()

    assert threat_events.EVENT_NAME in strings
    assert {"off", "detect"} <= strings
    assert set(threat_events.MODES) == {"off", "detect", "defend"}


def test_location_and_wifi_keys_are_the_permission_gated_ones():
    assert threat_events.permission_gated_keys() == {
        "locationLat",
        "locationLong",
        "locationState",
        "wifiSsid",
        "wifiSsidPermissionStatus",
    }
    assert len(threat_events.always_present_keys()) == 25
