package android.content.pm;

public final class SigningInfo {
    private final Signature[] mSigners;

    /** Not Android API (its constructor is hidden): lets the test set the current signers. */
    public SigningInfo(Signature[] signers) {
        mSigners = signers;
    }

    public Signature[] getApkContentsSigners() {
        return mSigners;
    }
}
