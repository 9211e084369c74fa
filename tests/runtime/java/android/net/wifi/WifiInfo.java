package android.net.wifi;

public class WifiInfo {
    private final String mSsid;

    /** Not Android API. */
    public WifiInfo(String ssid) {
        mSsid = ssid;
    }

    public String getSSID() {
        return mSsid;
    }
}
