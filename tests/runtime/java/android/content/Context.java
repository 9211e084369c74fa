package android.content;

import android.content.pm.PackageManager;
import android.content.res.AssetManager;

/** Android's Context: only the abstract methods the runtime calls, with their real signatures. */
public abstract class Context {
    public static final String LOCATION_SERVICE = "location";
    public static final String TELEPHONY_SERVICE = "phone";
    public static final String WIFI_SERVICE = "wifi";

    public abstract AssetManager getAssets();

    public abstract PackageManager getPackageManager();

    public abstract ContentResolver getContentResolver();

    public abstract String getPackageName();

    public abstract Object getSystemService(String name);

    public abstract int checkCallingOrSelfPermission(String permission);

    public abstract void sendBroadcast(Intent intent);
}
