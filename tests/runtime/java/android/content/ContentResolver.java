package android.content;

public abstract class ContentResolver {
    public ContentResolver(Context context) {}
}
