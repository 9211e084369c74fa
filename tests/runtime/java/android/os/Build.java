package android.os;

/** Android's Build constants. SDK_INT comes from -Dstub.sdk so the test can pick a level. */
public class Build {
    public static final String MODEL = "Stub Model";
    public static final String MANUFACTURER = "Stub Manufacturer";
    public static final String BRAND = "stub";
    public static final String BOARD = "stubboard";

    public static class VERSION {
        public static final int SDK_INT = Integer.getInteger("stub.sdk", 33);
        public static final String RELEASE = "13";
        public static final String SECURITY_PATCH = "2026-11-05";
    }
}
