package android.os;

import java.util.ArrayList;
import java.util.List;

/** Queues posted work on the stub main looper, which the driver runs like the framework. */
public class Handler {
    public static final List<Long> DELAYS_FOR_TEST = new ArrayList<>();

    public Handler(Looper looper) {}

    public final boolean post(Runnable r) {
        Looper.QUEUE_FOR_TEST.add(r);
        return true;
    }

    public final boolean postDelayed(Runnable r, long delayMillis) {
        DELAYS_FOR_TEST.add(delayMillis);
        Looper.QUEUE_FOR_TEST.add(r);
        return true;
    }
}
