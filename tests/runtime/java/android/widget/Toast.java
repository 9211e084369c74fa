package android.widget;

import android.content.Context;
import java.util.ArrayList;
import java.util.List;

public class Toast {
    public static final int LENGTH_SHORT = 0;
    public static final int LENGTH_LONG = 1;
    public static final List<String> SHOWN_FOR_TEST = new ArrayList<>();

    private final CharSequence mText;

    private Toast(CharSequence text) {
        mText = text;
    }

    public static Toast makeText(Context context, CharSequence text, int duration) {
        return new Toast(text);
    }

    public void show() {
        SHOWN_FOR_TEST.add(String.valueOf(mText));
    }
}
