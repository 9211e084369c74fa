package android.content;

import android.content.pm.ProviderInfo;
import android.database.Cursor;
import android.net.Uri;

/** Android's ContentProvider: attachInfo() stores the context then calls onCreate(). */
public abstract class ContentProvider {
    private Context mContext;

    public ContentProvider() {}

    public final Context getContext() {
        return mContext;
    }

    public void attachInfo(Context context, ProviderInfo info) {
        if (mContext == null) {
            mContext = context;
            onCreate();
        }
    }

    public abstract boolean onCreate();

    public abstract Cursor query(Uri uri, String[] projection, String selection,
            String[] selectionArgs, String sortOrder);

    public abstract String getType(Uri uri);

    public abstract Uri insert(Uri uri, ContentValues values);

    public abstract int delete(Uri uri, String selection, String[] selectionArgs);

    public abstract int update(Uri uri, ContentValues values, String selection,
            String[] selectionArgs);
}
