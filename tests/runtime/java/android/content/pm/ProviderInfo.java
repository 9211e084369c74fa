package android.content.pm;

public final class ProviderInfo {
    public String authority;
    public int initOrder;
}
