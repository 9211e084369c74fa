package android.content.res;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

/** Android's AssetManager.open, reading from an extracted assets folder. */
public final class AssetManager {
    private final File mRoot;

    /** Not Android API: the folder holding the APK's assets/ entries. */
    public AssetManager(File root) {
        mRoot = root;
    }

    public final InputStream open(String fileName) throws IOException {
        File file = new File(mRoot, fileName);
        if (!file.isFile()) {
            throw new FileNotFoundException(fileName);
        }
        return new FileInputStream(file);
    }
}
