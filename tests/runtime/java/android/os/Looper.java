package android.os;

import java.util.ArrayList;
import java.util.List;

public final class Looper {
    static final List<Runnable> QUEUE_FOR_TEST = new ArrayList<>();
    private static final Looper MAIN = new Looper();

    public static Looper getMainLooper() {
        return MAIN;
    }

    /** Not Android API: run what was posted, in order (delays are recorded, not waited). */
    public static void runQueuedForTest() {
        while (!QUEUE_FOR_TEST.isEmpty()) {
            QUEUE_FOR_TEST.remove(0).run();
        }
    }
}
