package android.os;

import java.util.ArrayList;
import java.util.List;

/** Records killProcess instead of ending the JVM, so the test can assert the defense. */
public class Process {
    public static final List<Integer> KILLED_FOR_TEST = new ArrayList<>();

    public static final int myPid() {
        return 4242;
    }

    public static final void killProcess(int pid) {
        KILLED_FOR_TEST.add(pid);
    }
}
