"""Cross-platform samples: Flutter, React Native and Cordova / Ionic."""

from fusionsets.samples.android import bridge_kotlin
from fusionsets.samples.common import (
    CHANNEL,
    CodeSample,
    SampleFile,
    comment,
    extra_note,
    mode_lines,
)
from workers.engine.threat_events import EVENT_NAME, EXTRAS


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
        f"  final {e.name} = event['{e.name}'] ?? ''; // {extra_note(e)}" for e in EXTRAS
    )
    dart = f"""{comment(mode_lines(threat_events), "//")}
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
                bridge_kotlin(threat_events, "FuseboxThreatEvents", "Dart", channel_side),
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
        f'    const {e.name} = event["{e.name}"] ?? ""; // {extra_note(e)}' for e in EXTRAS
    )
    js = f"""{comment(mode_lines(threat_events), "//")}
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
                bridge_kotlin(threat_events, "FuseboxThreatEvents", "JavaScript", module),
            ),
        ),
    )


def cordova_sample(threat_events: dict) -> CodeSample:
    reads = "\n".join(
        f'      var {e.name} = event["{e.name}"] || ""; // {extra_note(e)}' for e in EXTRAS
    )
    code = f"""{comment(mode_lines(threat_events), "//")}
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
