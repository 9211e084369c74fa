package android.net.wifi;

public class WifiManager {
    private final WifiInfo mInfo;

    /** Not Android API: the connection the test reports. */
    public WifiManager(WifiInfo info) {
        mInfo = info;
    }

    public WifiInfo getConnectionInfo() {
        return mInfo;
    }
}
