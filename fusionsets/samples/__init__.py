"""Threat-Event code samples for app teams, generated from the one event contract.

Every sample reads the event name and the extras from ``workers.engine.threat_events`` (the
description the runtime and docs/threat-events.md use) and states what this Fusion Set's
mode really does, so no sample is written by hand per language and none can drift.
"""

from fusionsets.samples.android import java_listener, kotlin_listener
from fusionsets.samples.common import CodeSample, SampleFile
from fusionsets.samples.crossplatform import (
    cordova_sample,
    flutter_sample,
    react_native_sample,
)
from fusionsets.samples.csharp import unity_sample, xamarin_sample

__all__ = ["CodeSample", "SampleFile", "samples_for"]


def samples_for(threat_events: dict) -> list[CodeSample]:
    """All samples for a Fusion Set's Threat-Events settings (mode, message, delay, score)."""
    return [
        CodeSample("java", "Java (native Android)", (java_listener(threat_events),)),
        CodeSample("kotlin", "Kotlin (native Android)", (kotlin_listener(threat_events),)),
        flutter_sample(threat_events),
        react_native_sample(threat_events),
        xamarin_sample(threat_events),
        cordova_sample(threat_events),
        unity_sample(threat_events),
    ]
