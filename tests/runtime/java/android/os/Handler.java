package android.os;

import java.util.ArrayList;
import java.util.List;

/** Runs posted work at once (there is no looper thread) and records requested delays. */
public class Handler {
    public static final List<Long> DELAYS_FOR_TEST = new ArrayList<>();

    public Handler(Looper looper) {}

    public final boolean post(Runnable r) {
        r.run();
        return true;
    }

    public final boolean postDelayed(Runnable r, long delayMillis) {
        DELAYS_FOR_TEST.add(delayMillis);
        r.run();
        return true;
    }
}
