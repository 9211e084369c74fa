package android.content;

import java.util.LinkedHashMap;
import java.util.Map;

/** Android's Intent: the constructor and setters the runtime calls; getters for the test. */
public class Intent {
    private final String mAction;
    private String mPackage;
    private final Map<String, Object> mExtras = new LinkedHashMap<>();

    public Intent(String action) {
        mAction = action;
    }

    public Intent setPackage(String packageName) {
        mPackage = packageName;
        return this;
    }

    public Intent putExtra(String name, String value) {
        mExtras.put(name, value);
        return this;
    }

    public String getAction() {
        return mAction;
    }

    public String getPackage() {
        return mPackage;
    }

    public String getStringExtra(String name) {
        Object value = mExtras.get(name);
        return value instanceof String ? (String) value : null;
    }

    /** Not Android API: every extra, in insertion order, for the test to inspect. */
    public Map<String, Object> extrasForTest() {
        return mExtras;
    }
}
