package android.location;

public class LocationManager {
    private final Location mLast;

    /** Not Android API: the last known location the test reports. */
    public LocationManager(Location last) {
        mLast = last;
    }

    public Location getLastKnownLocation(String provider) {
        return mLast;
    }
}
