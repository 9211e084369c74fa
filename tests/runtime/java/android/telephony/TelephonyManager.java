package android.telephony;

public class TelephonyManager {
    /** Not Android API. */
    public TelephonyManager() {}

    public String getNetworkOperatorName() {
        return "Test Carrier";
    }

    public String getNetworkOperator() {
        return "00101";
    }
}
