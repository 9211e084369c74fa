"""Threat-Event code samples: generated from the contract, compiled and parsed for real."""

import shutil
import subprocess
from pathlib import Path

import pytest

from fusionsets.samples import samples_for
from workers.engine.threat_events import EVENT_NAME, EXTRAS

DEFEND = {
    "mode": "defend",
    "message": "Closing now.",
    "fail_safe_delay_ms": 3000,
    "threat_score": 7,
}

# Just enough of the Android and Unity APIs for javac to type-check the samples.
STUBS = {
    "android/content/Context.java": """package android.content;
public abstract class Context {
    public static final int RECEIVER_NOT_EXPORTED = 4;
    public abstract Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter);
    public abstract Intent registerReceiver(
        BroadcastReceiver receiver, IntentFilter filter, int flags);
}
""",
    "android/content/BroadcastReceiver.java": """package android.content;
public abstract class BroadcastReceiver {
    public abstract void onReceive(Context context, Intent intent);
}
""",
    "android/content/Intent.java": """package android.content;
public class Intent {
    public String getAction() { return null; }
    public String getStringExtra(String name) { return null; }
}
""",
    "android/content/IntentFilter.java": """package android.content;
public class IntentFilter { public IntentFilter(String action) {} }
""",
    "android/os/Build.java": """package android.os;
public class Build { public static class VERSION { public static final int SDK_INT = 0; } }
""",
    "com/unity3d/player/UnityPlayer.java": """package com.unity3d.player;
public class UnityPlayer {
    public static void UnitySendMessage(String object, String method, String message) {}
}
""",
    "org/json/JSONException.java": """package org.json;
public class JSONException extends Exception { private static final long serialVersionUID = 1L; }
""",
    "org/json/JSONObject.java": """package org.json;
public class JSONObject {
    public JSONObject put(String key, Object value) throws JSONException { return this; }
}
""",
}


def _files(language: str, threat_events=DEFEND):
    return [
        (sample, file)
        for sample in samples_for(threat_events)
        for file in sample.files
        if file.language == language
    ]


def test_there_is_a_sample_for_every_platform_app_teams_use():
    keys = [sample.key for sample in samples_for(DEFEND)]

    assert keys == ["java", "kotlin", "flutter", "react_native", "xamarin", "cordova", "unity"]


def test_every_sample_reads_every_extra_of_the_contract_under_the_event_name():
    for sample in samples_for(DEFEND):
        assert EVENT_NAME in "".join(file.code for file in sample.files), sample.key
        for file in sample.files:
            for extra in EXTRAS:
                spellings = (f'"{extra.name}"', f"'{extra.name}'", f" {extra.name};")
                assert any(spelling in file.code for spelling in spellings), (
                    f"{sample.key}/{file.name} does not read {extra.name}"
                )


def test_a_sample_says_when_the_mode_sends_no_broadcast():
    [(_sample, java)] = _files("java", {**DEFEND, "mode": "off"})[:1]

    assert 'mode "off"' in java.code
    assert "receives no mTLSPreAuthentication broadcast" in java.code


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac is not installed")
def test_the_java_samples_compile_against_the_android_api(tmp_path):
    for relative, text in STUBS.items():
        path = tmp_path / "src" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    package = tmp_path / "src" / "com" / "example" / "security"
    package.mkdir(parents=True)
    for _sample, file in _files("java"):
        (package / file.name).write_text(file.code)
    sources = [str(p) for p in sorted((tmp_path / "src").rglob("*.java"))]

    result = subprocess.run(
        ["javac", "-Xlint:all", "-Werror", "-d", str(tmp_path / "out"), *sources],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    classes = {p.name for p in (tmp_path / "out" / "com" / "example" / "security").iterdir()}
    assert {"ThreatEventsListener.class", "FuseboxThreatEvents.class"} <= classes


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_javascript_samples_parse(tmp_path):
    checked = []
    for sample, file in _files("js"):
        # React Native code uses ES module imports; node parses those only as .mjs.
        suffix = ".mjs" if "import " in file.code else ".js"
        path = tmp_path / f"{sample.key}{suffix}"
        path.write_text(file.code)

        result = subprocess.run(
            ["node", "--check", str(path)], capture_output=True, text=True, timeout=60, check=False
        )

        assert result.returncode == 0, f"{sample.key}: {result.stderr}"
        checked.append(sample.key)
    assert checked == ["react_native", "cordova"]


def test_node_check_would_catch_a_broken_sample(tmp_path):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    [(_sample, file)] = [pair for pair in _files("js") if pair[0].key == "cordova"]
    broken = Path(tmp_path / "broken.js")
    broken.write_text(file.code.replace("});", "}", 1))

    result = subprocess.run(["node", "--check", str(broken)], capture_output=True, check=False)

    assert result.returncode != 0
