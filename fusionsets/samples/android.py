"""Native Android samples (Java, Kotlin) and the Kotlin bridge cross-platform ones share."""

from fusionsets.samples.common import PACKAGE, SampleFile, comment, extra_note, mode_lines
from workers.engine.threat_events import EVENT_NAME, EXTRAS


def java_listener(threat_events: dict) -> SampleFile:
    reads = "\n".join(
        f'        String {e.name} = value(intent, "{e.name}"); // {extra_note(e)}' for e in EXTRAS
    )
    puts = "\n".join(f'        event.put("{e.name}", {e.name});' for e in EXTRAS)
    code = f"""{comment(mode_lines(threat_events), "//")}
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
        f'        val {e.name} = intent.getStringExtra("{e.name}") ?: "" // {extra_note(e)}'
        for e in EXTRAS
    )
    pairs = ",\n".join(f'            "{e.name}" to {e.name}' for e in EXTRAS)
    code = f"""{comment(mode_lines(threat_events), "//")}
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


def bridge_kotlin(threat_events: dict, name: str, target: str, deliver: str) -> str:
    """A native listener that buffers events until the cross-platform side listens."""
    pairs = ",\n".join(
        f'                "{e.name}" to (intent.getStringExtra("{e.name}") ?: "")' for e in EXTRAS
    )
    return f"""{comment(mode_lines(threat_events), "//")}
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
