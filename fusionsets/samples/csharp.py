"""C# samples: Xamarin / .NET MAUI and Unity (with its small Java plugin)."""

from fusionsets.samples.common import (
    PACKAGE,
    CodeSample,
    SampleFile,
    comment,
    extra_note,
    mode_lines,
)
from workers.engine.threat_events import EVENT_NAME, EXTRAS


def xamarin_sample(threat_events: dict) -> CodeSample:
    reads = "\n".join(
        f'        var {e.name} = intent.GetStringExtra("{e.name}") ?? ""; // {extra_note(e)}'
        for e in EXTRAS
    )
    entries = "\n".join(f'            ["{e.name}"] = {e.name},' for e in EXTRAS)
    code = f"""{comment(mode_lines(threat_events), "//")}
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


def unity_sample(threat_events: dict) -> CodeSample:
    puts = "\n".join(
        f'            json.put("{e.name}", value(intent, "{e.name}"));' for e in EXTRAS
    )
    plugin = f"""{comment(mode_lines(threat_events), "//")}
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
    fields = "\n".join(f"    public string {e.name}; // {extra_note(e)}" for e in EXTRAS)
    script = f"""{comment(mode_lines(threat_events), "//")}
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
