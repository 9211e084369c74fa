"""Threat-Event code samples for app teams, generated from the one event contract.

Every sample reads the event name and the extras from ``workers.engine.threat_events`` (the
description the runtime and docs/threat-events.md use) and states what this Fusion Set's
mode really does, so no sample is written by hand per language and none can drift.
"""

from dataclasses import dataclass

from workers.engine.threat_events import EVENT_NAME, EXTRAS, MODES, REASON_CODES

PACKAGE = "com.example.security"
CHANNEL = "fusebox/threat_events"


@dataclass(frozen=True)
class SampleFile:
    name: str
    language: str  # for highlighting and the checks in tests: java, kotlin, dart, js, csharp
    code: str


@dataclass(frozen=True)
class CodeSample:
    key: str
    title: str
    files: tuple[SampleFile, ...]


def _mode_lines(threat_events: dict) -> list[str]:
    mode = MODES[threat_events["mode"]]
    lines = [f'Fusion Set Threat-Events mode "{mode.name}": {mode.meaning}']
    if not mode.broadcast:
        lines.append(
            f"In this mode the app receives no {EVENT_NAME} broadcast; switch the Fusion Set "
            "to detect or defend for this listener to be called."
        )
    if mode.defense:
        lines.append(
            f"Fusebox ends the app {threat_events['fail_safe_delay_ms']} ms after showing: "
            f"{threat_events['message']}"
        )
    lines.append("Reason codes: " + ", ".join(reason.code for reason in REASON_CODES) + ".")
    lines.append(
        "Register early (Application.attachBaseContext): identity failures are sent before "
        "Application.onCreate."
    )
    return lines


def _comment(lines: list[str], prefix: str) -> str:
    return "\n".join(f"{prefix} {line}".rstrip() for line in lines)


def _extra_note(extra) -> str:
    if extra.permission:
        return f"{extra.meaning} Only with {extra.permission}."
    return extra.meaning


def _keys_block(indent: str, quote: str = '"') -> str:
    return "\n".join(f"{indent}{quote}{extra.name}{quote}," for extra in EXTRAS)


def java_listener(threat_events: dict) -> SampleFile:
    reads = "\n".join(
        f'        String {e.name} = value(intent, "{e.name}"); // {_extra_note(e)}' for e in EXTRAS
    )
    puts = "\n".join(f'        event.put("{e.name}", {e.name});' for e in EXTRAS)
    code = f"""{_comment(_mode_lines(threat_events), "//")}
package {PACKAGE};

import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.os.Build;

import java.util.LinkedHashMap;
import java.util.Map;

/** Receives Fusebox's {EVENT_NAME} Threat-Event; every extra is a String. */
public class ThreatEventsListener extends BroadcastReceiver {{
    public static final String EVENT = "{EVENT_NAME}";

    /** Call from Application.attachBaseContext so start-up events are not missed. */
    public static ThreatEventsListener register(Context context) {{
        ThreatEventsListener listener = new ThreatEventsListener();
        IntentFilter filter = new IntentFilter(EVENT);
        if (Build.VERSION.SDK_INT >= 33) {{
            context.registerReceiver(listener, filter, Context.RECEIVER_NOT_EXPORTED);
        }} else {{
            context.registerReceiver(listener, filter);
        }}
        return listener;
    }}

    @Override
    public void onReceive(Context context, Intent intent) {{
        if (!EVENT.equals(intent.getAction())) {{
            return;
        }}
{reads}

        Map<String, String> event = new LinkedHashMap<>();
{puts}
        onThreatEvent(context, reasonCode, event);
    }}

    /** Decide here: log, tell the user, sign out, report to your backend. */
    protected void onThreatEvent(Context context, String reasonCode, Map<String, String> event) {{
    }}

    private static String value(Intent intent, String key) {{
        String value = intent.getStringExtra(key);
        return value == null ? "" : value;
    }}
}}
"""
    return SampleFile("ThreatEventsListener.java", "java", code)


def kotlin_listener(threat_events: dict) -> SampleFile:
    reads = "\n".join(
        f'        val {e.name} = intent.getStringExtra("{e.name}") ?: "" // {_extra_note(e)}'
        for e in EXTRAS
    )
    pairs = ",\n".join(f'            "{e.name}" to {e.name}' for e in EXTRAS)
    code = f"""{_comment(_mode_lines(threat_events), "//")}
package {PACKAGE}

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.os.Build

/** Receives Fusebox's {EVENT_NAME} Threat-Event; every extra is a String. */
open class ThreatEventsListener : BroadcastReceiver() {{
    override fun onReceive(context: Context, intent: Intent) {{
        if (intent.action != EVENT) return
{reads}

        val event = linkedMapOf(
{pairs}
        )
        onThreatEvent(context, reasonCode, event)
    }}

    /** Decide here: log, tell the user, sign out, report to your backend. */
    open fun onThreatEvent(context: Context, reasonCode: String, event: Map<String, String>) {{}}

    companion object {{
        const val EVENT = "{EVENT_NAME}"

        /** Call from Application.attachBaseContext so start-up events are not missed. */
        fun register(context: Context, listener: ThreatEventsListener): ThreatEventsListener {{
            val filter = IntentFilter(EVENT)
            if (Build.VERSION.SDK_INT >= 33) {{
                context.registerReceiver(listener, filter, Context.RECEIVER_NOT_EXPORTED)
            }} else {{
                context.registerReceiver(listener, filter)
            }}
            return listener
        }}
    }}
}}
"""
    return SampleFile("ThreatEventsListener.kt", "kotlin", code)


def _bridge_kotlin(threat_events: dict, name: str, target: str, deliver: str) -> str:
    """A native listener that buffers events until the cross-platform side listens."""
    pairs = ",\n".join(
        f'                "{e.name}" to (intent.getStringExtra("{e.name}") ?: "")' for e in EXTRAS
    )
    return f"""{_comment(_mode_lines(threat_events), "//")}
package {PACKAGE}

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.os.Build

/** Keeps {EVENT_NAME} events until {target} listens, then forwards each one. */
object {name} : BroadcastReceiver() {{
    private val pending = mutableListOf<Map<String, String>>()
    private var sink: ((Map<String, String>) -> Unit)? = null

    /** Call from Application.attachBaseContext so start-up events are kept. */
    fun register(context: Context) {{
        val filter = IntentFilter("{EVENT_NAME}")
        if (Build.VERSION.SDK_INT >= 33) {{
            context.registerReceiver(this, filter, Context.RECEIVER_NOT_EXPORTED)
        }} else {{
            context.registerReceiver(this, filter)
        }}
    }}

    @Synchronized
    fun listen(deliver: ((Map<String, String>) -> Unit)?) {{
        sink = deliver
        if (deliver != null) {{
            pending.forEach(deliver)
            pending.clear()
        }}
    }}

    @Synchronized
    override fun onReceive(context: Context, intent: Intent) {{
        if (intent.action != "{EVENT_NAME}") return
        val event = linkedMapOf(
{pairs}
        )
        sink?.invoke(event) ?: pending.add(event)
    }}
}}
{deliver}"""


def flutter_sample(threat_events: dict) -> CodeSample:
    channel_side = f"""
// MainActivity.kt: the EventChannel Dart listens on.
class MainActivity : io.flutter.embedding.android.FlutterActivity() {{
    override fun configureFlutterEngine(
        flutterEngine: io.flutter.embedding.engine.FlutterEngine
    ) {{
        super.configureFlutterEngine(flutterEngine)
        io.flutter.plugin.common.EventChannel(
            flutterEngine.dartExecutor.binaryMessenger, "{CHANNEL}"
        ).setStreamHandler(object : io.flutter.plugin.common.EventChannel.StreamHandler {{
            override fun onListen(
                arguments: Any?, events: io.flutter.plugin.common.EventChannel.EventSink
            ) {{
                FuseboxThreatEvents.listen {{ event -> runOnUiThread {{ events.success(event) }} }}
            }}

            override fun onCancel(arguments: Any?) = FuseboxThreatEvents.listen(null)
        }})
    }}
}}
"""
    reads = "\n".join(
        f"  final {e.name} = event['{e.name}'] ?? ''; // {_extra_note(e)}" for e in EXTRAS
    )
    dart = f"""{_comment(_mode_lines(threat_events), "//")}
import 'dart:async';

import 'package:flutter/services.dart';

const EventChannel _threatEvents = EventChannel('{CHANNEL}');

/** Starts listening for Fusebox's {EVENT_NAME} Threat-Event. */
StreamSubscription<dynamic> listenForThreatEvents(
    void Function(String reasonCode, Map<String, String> event) onThreatEvent) {{
  return _threatEvents.receiveBroadcastStream().listen((dynamic raw) {{
    final event = Map<String, String>.from(raw as Map);
{reads}
    onThreatEvent(reasonCode, event);
  }});
}}
"""
    return CodeSample(
        "flutter",
        "Flutter (Dart platform channel)",
        (
            SampleFile("threat_events.dart", "dart", dart),
            SampleFile(
                "FuseboxThreatEvents.kt",
                "kotlin",
                _bridge_kotlin(threat_events, "FuseboxThreatEvents", "Dart", channel_side),
            ),
        ),
    )


def react_native_sample(threat_events: dict) -> CodeSample:
    module = f"""
// FuseboxThreatEventsModule.kt: register it in your ReactPackage.
class FuseboxThreatEventsModule(
    private val context: com.facebook.react.bridge.ReactApplicationContext
) : com.facebook.react.bridge.ReactContextBaseJavaModule(context) {{
    override fun getName() = "FuseboxThreatEvents"

    @com.facebook.react.bridge.ReactMethod
    fun addListener(eventName: String) {{
        FuseboxThreatEvents.listen {{ event ->
            val map = com.facebook.react.bridge.Arguments.createMap()
            event.forEach {{ (key, value) -> map.putString(key, value) }}
            context.getJSModule(
                com.facebook.react.modules.core.DeviceEventManagerModule
                    .RCTDeviceEventEmitter::class.java
            ).emit("{EVENT_NAME}", map)
        }}
    }}

    @com.facebook.react.bridge.ReactMethod
    fun removeListeners(count: Double) = FuseboxThreatEvents.listen(null)
}}
"""
    reads = "\n".join(
        f'    const {e.name} = event["{e.name}"] ?? ""; // {_extra_note(e)}' for e in EXTRAS
    )
    js = f"""{_comment(_mode_lines(threat_events), "//")}
import {{ NativeEventEmitter, NativeModules }} from "react-native";

const emitter = new NativeEventEmitter(NativeModules.FuseboxThreatEvents);

/** Calls onThreatEvent(reasonCode, event) for each {EVENT_NAME} event. */
export function listenForThreatEvents(onThreatEvent) {{
  return emitter.addListener("{EVENT_NAME}", (event) => {{
{reads}
    onThreatEvent(reasonCode, event);
  }});
}}
"""
    return CodeSample(
        "react_native",
        "React Native (JS and native module)",
        (
            SampleFile("threatEvents.js", "js", js),
            SampleFile(
                "FuseboxThreatEvents.kt",
                "kotlin",
                _bridge_kotlin(threat_events, "FuseboxThreatEvents", "JavaScript", module),
            ),
        ),
    )


def xamarin_sample(threat_events: dict) -> CodeSample:
    reads = "\n".join(
        f'        var {e.name} = intent.GetStringExtra("{e.name}") ?? ""; // {_extra_note(e)}'
        for e in EXTRAS
    )
    entries = "\n".join(f'            ["{e.name}"] = {e.name},' for e in EXTRAS)
    code = f"""{_comment(_mode_lines(threat_events), "//")}
using System;
using System.Collections.Generic;
using Android.Content;

namespace Example.Security;

/// <summary>Receives Fusebox's {EVENT_NAME} Threat-Event; every extra is a string.</summary>
[BroadcastReceiver(Enabled = true, Exported = false)]
public class ThreatEventsReceiver : BroadcastReceiver
{{
    public const string EventName = "{EVENT_NAME}";

    public static event Action<string, IReadOnlyDictionary<string, string>>? ThreatEvent;

    /// <summary>Call from your Application's AttachBaseContext or OnCreate.</summary>
    public static ThreatEventsReceiver Register(Context context)
    {{
        var receiver = new ThreatEventsReceiver();
        var filter = new IntentFilter(EventName);
        if (OperatingSystem.IsAndroidVersionAtLeast(33))
            context.RegisterReceiver(receiver, filter, ReceiverFlags.NotExported);
        else
            context.RegisterReceiver(receiver, filter);
        return receiver;
    }}

    public override void OnReceive(Context? context, Intent? intent)
    {{
        if (intent?.Action != EventName) return;
{reads}

        var data = new Dictionary<string, string>
        {{
{entries}
        }};
        ThreatEvent?.Invoke(reasonCode, data);
    }}
}}
"""
    return CodeSample(
        "xamarin",
        "Xamarin / .NET MAUI (C#)",
        (SampleFile("ThreatEventsReceiver.cs", "csharp", code),),
    )


def cordova_sample(threat_events: dict) -> CodeSample:
    reads = "\n".join(
        f'      var {e.name} = event["{e.name}"] || ""; // {_extra_note(e)}' for e in EXTRAS
    )
    code = f"""{_comment(_mode_lines(threat_events), "//")}
// Uses cordova-plugin-broadcaster (cordova plugin add cordova-plugin-broadcaster), which
// turns Android broadcasts into JavaScript events; isGlobal=true listens to the system
// broadcast Fusebox sends to the app's own package.
document.addEventListener("deviceready", function () {{
  window.broadcaster.addEventListener(
    "{EVENT_NAME}",
    true,
    function (event) {{
{reads}
      onThreatEvent(reasonCode, event);
    }}
  );
}});

/** Decide here: log, tell the user, sign out, report to your backend. */
function onThreatEvent(reasonCode, event) {{
  console.warn("Fusebox Threat-Event", reasonCode, event.reasonData);
}}
"""
    return CodeSample(
        "cordova",
        "Cordova / Ionic (JS plugin)",
        (SampleFile("threat-events.js", "js", code),),
    )


def unity_sample(threat_events: dict) -> CodeSample:
    puts = "\n".join(
        f'            json.put("{e.name}", value(intent, "{e.name}"));' for e in EXTRAS
    )
    plugin = f"""{_comment(_mode_lines(threat_events), "//")}
// Assets/Plugins/Android/FuseboxThreatEvents.java
package {PACKAGE};

import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.os.Build;

import com.unity3d.player.UnityPlayer;

import org.json.JSONException;
import org.json.JSONObject;

/** Forwards Fusebox's {EVENT_NAME} Threat-Event to a Unity GameObject as JSON. */
public class FuseboxThreatEvents extends BroadcastReceiver {{
    private final String gameObject;

    private FuseboxThreatEvents(String gameObject) {{
        this.gameObject = gameObject;
    }}

    public static void register(Context context, String gameObject) {{
        FuseboxThreatEvents receiver = new FuseboxThreatEvents(gameObject);
        IntentFilter filter = new IntentFilter("{EVENT_NAME}");
        if (Build.VERSION.SDK_INT >= 33) {{
            context.registerReceiver(receiver, filter, Context.RECEIVER_NOT_EXPORTED);
        }} else {{
            context.registerReceiver(receiver, filter);
        }}
    }}

    @Override
    public void onReceive(Context context, Intent intent) {{
        JSONObject json = new JSONObject();
        try {{
{puts}
        }} catch (JSONException error) {{
            return;
        }}
        UnityPlayer.UnitySendMessage(gameObject, "OnThreatEvent", json.toString());
    }}

    private static String value(Intent intent, String key) {{
        String value = intent.getStringExtra(key);
        return value == null ? "" : value;
    }}
}}
"""
    fields = "\n".join(f"    public string {e.name}; // {_extra_note(e)}" for e in EXTRAS)
    script = f"""{_comment(_mode_lines(threat_events), "//")}
using System;
using UnityEngine;

/// <summary>Every extra of Fusebox's {EVENT_NAME} Threat-Event.</summary>
[Serializable]
public class FuseboxThreatEvent
{{
{fields}
}}

/// <summary>Attach to a GameObject; it receives events from FuseboxThreatEvents.java.</summary>
public class ThreatEventsListener : MonoBehaviour
{{
    void Awake()
    {{
#if UNITY_ANDROID && !UNITY_EDITOR
        using var player = new AndroidJavaClass("com.unity3d.player.UnityPlayer");
        var activity = player.GetStatic<AndroidJavaObject>("currentActivity");
        using var plugin = new AndroidJavaClass("{PACKAGE}.FuseboxThreatEvents");
        plugin.CallStatic("register", activity, gameObject.name);
#endif
    }}

    // Called by UnityPlayer.UnitySendMessage with the event as JSON.
    public void OnThreatEvent(string json)
    {{
        var threatEvent = JsonUtility.FromJson<FuseboxThreatEvent>(json);
        Debug.LogWarning(
            $"Fusebox Threat-Event {{threatEvent.reasonCode}}: {{threatEvent.reasonData}}");
    }}
}}
"""
    return CodeSample(
        "unity",
        "Unity (C#)",
        (
            SampleFile("ThreatEventsListener.cs", "csharp", script),
            SampleFile("FuseboxThreatEvents.java", "java", plugin),
        ),
    )


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
