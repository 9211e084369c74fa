package harness;

import android.content.ContentProvider;
import android.content.ContentResolver;
import android.content.Context;
import android.content.Intent;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.ProviderInfo;
import android.content.pm.Signature;
import android.content.pm.SigningInfo;
import android.content.res.AssetManager;
import android.location.Location;
import android.location.LocationManager;
import android.net.wifi.WifiInfo;
import android.net.wifi.WifiManager;
import android.os.Handler;
import android.os.Process;
import android.telephony.TelephonyManager;
import android.widget.Toast;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Starts the translated runtime as Android would (the framework attaches the init provider,
 * which calls onCreate) and then acts as an app making TLS connections.
 *
 * Arguments: ASSETS_DIR SIGNER_CERT_DER PACKAGE PERMISSIONS(comma list or "-") ACTION...
 * where ACTION is "https:URL" (HttpsURLConnection with the default factory) or
 * "own:HOST:PORT:SERVER_CA_PEM" (a client that builds its own SSLContext with
 * SSLContext.getInstance("TLS").init(null, trustManagers, null)) or "own-no-keys:..." (the
 * same with the app's own, empty, key managers) or "default-factory:HOST:PORT"
 * (SSLSocketFactory.getDefault()). Prints one JSON object.
 */
public final class RuntimeDriver {
    private static final List<Intent> BROADCASTS = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        File assets = new File(args[0]);
        byte[] signer = Files.readAllBytes(new File(args[1]).toPath());
        String packageName = args[2];
        Set<String> permissions = new HashSet<>();
        if (!args[3].equals("-")) {
            permissions.addAll(Arrays.asList(args[3].split(",")));
        }

        // As Android's security.properties does with Conscrypt's OpenSSLSocketFactoryImpl:
        // name the platform's own socket factory class as the default factory.
        java.security.Security.setProperty(
                "ssl.SocketFactory.provider", "sun.security.ssl.SSLSocketFactoryImpl");

        Context context = new AppContext(assets, signer, packageName, permissions);
        // The provider class as the app's manifest names it (-Dprovider.class).
        ContentProvider provider = (ContentProvider) Class
                .forName(System.getProperty("provider.class", "io.fusebox.runtime.InitProvider"))
                .getDeclaredConstructor()
                .newInstance();
        ProviderInfo info = new ProviderInfo();
        info.authority = packageName + ".fusebox-init";
        info.initOrder = Integer.MAX_VALUE;
        provider.attachInfo(context, info);
        int broadcastsDuringStartup = BROADCASTS.size();
        // The framework then runs Application.onCreate and the main looper's queue.
        android.os.Looper.runQueuedForTest();

        StringBuilder out = new StringBuilder("{\"results\":[");
        for (int i = 4; i < args.length; i++) {
            if (i > 4) {
                out.append(',');
            }
            out.append(runAction(args[i]));
            android.os.Looper.runQueuedForTest();
        }
        out.append("],\"broadcasts\":[");
        for (int i = 0; i < BROADCASTS.size(); i++) {
            Intent intent = BROADCASTS.get(i);
            if (i > 0) {
                out.append(',');
            }
            out.append("{\"action\":").append(json(intent.getAction()));
            out.append(",\"package\":").append(json(intent.getPackage()));
            out.append(",\"extras\":{");
            boolean first = true;
            for (Map.Entry<String, Object> extra : intent.extrasForTest().entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append(json(extra.getKey())).append(':');
                Object value = extra.getValue();
                out.append(value instanceof String ? json((String) value) : "null");
            }
            out.append("}}");
        }
        out.append("],\"toasts\":[");
        for (int i = 0; i < Toast.SHOWN_FOR_TEST.size(); i++) {
            out.append(i > 0 ? "," : "").append(json(Toast.SHOWN_FOR_TEST.get(i)));
        }
        out.append("],\"killed\":").append(Process.KILLED_FOR_TEST.size());
        out.append(",\"delays\":").append(Handler.DELAYS_FOR_TEST);
        out.append(",\"broadcastsDuringStartup\":").append(broadcastsDuringStartup);
        out.append(",\"providers\":[");
        java.security.Provider[] providers = java.security.Security.getProviders();
        for (int i = 0; i < providers.length; i++) {
            out.append(i > 0 ? "," : "").append(json(providers[i].getName()));
        }
        out.append("],\"preAuthServices\":[");
        java.security.Provider ours = java.security.Security.getProvider("FuseboxPreAuth");
        if (ours != null) {
            boolean first = true;
            for (java.security.Provider.Service service : ours.getServices()) {
                out.append(first ? "" : ",").append(json(
                        service.getType() + "." + service.getAlgorithm() + "="
                        + SSLContext.getInstance(service.getAlgorithm()).getProvider().getName()));
                first = false;
            }
        }
        out.append("],\"defaultProtocolProvider\":");
        out.append(json(SSLContext.getDefault().getProvider().getName()));
        out.append('}');
        System.out.println(out);
    }

    private static String runAction(String action) {
        String body;
        try {
            if (action.startsWith("https:")) {
                body = fetch(action.substring("https:".length()));
            } else if (action.startsWith("own:")) {
                String[] parts = action.split(":", 4);
                body = ownContext(parts[1], Integer.parseInt(parts[2]), parts[3], null);
            } else if (action.startsWith("default-factory:")) {
                String[] parts = action.split(":", 3);
                body = defaultFactory(parts[1], Integer.parseInt(parts[2]));
            } else if (action.startsWith("own-no-keys:")) {
                String[] parts = action.split(":", 4);
                body = ownContext(parts[1], Integer.parseInt(parts[2]), parts[3],
                        new KeyManager[0]);
            } else {
                throw new IllegalArgumentException("unknown action " + action);
            }
            return "{\"action\":" + json(action) + ",\"ok\":true,\"body\":" + json(body) + "}";
        } catch (Exception e) {
            return "{\"action\":" + json(action) + ",\"ok\":false,\"error\":"
                    + json(e.getClass().getName() + ": " + e.getMessage()) + "}";
        }
    }

    private static String fetch(String url) throws Exception {
        HttpsURLConnection connection = (HttpsURLConnection) new URL(url).openConnection();
        connection.setConnectTimeout(30000);
        connection.setReadTimeout(30000);
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A library that takes SSLSocketFactory.getDefault() (trust: javax.net.ssl.trustStore). */
    private static String defaultFactory(String host, int port) throws Exception {
        SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
        try (SSLSocket socket = (SSLSocket) factory.createSocket(host, port)) {
            return exchange(socket, host);
        }
    }

    /** What OkHttp, Retrofit and Volley do: their own context over the given trust managers. */
    private static String ownContext(String host, int port, String serverCaPem,
            KeyManager[] keyManagers) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = new FileInputStream(serverCaPem)) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("server-ca", ca);
        }
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, tmf.getTrustManagers(), null);

        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
            return exchange(socket, host) + "provider=" + context.getProvider().getName();
        }
    }

    private static String exchange(SSLSocket socket, String host) throws Exception {
        socket.setSoTimeout(30000);
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(
                StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader reader = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder body = new StringBuilder();
        boolean inBody = false;
        for (String line; (line = reader.readLine()) != null; ) {
            if (inBody) {
                body.append(line).append('\n');
            } else if (line.isEmpty()) {
                inBody = true;
            }
        }
        return body.toString();
    }

    private static String json(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** The app's context as the framework would hand it to the init provider. */
    private static final class AppContext extends Context {
        private final AssetManager assets;
        private final byte[] signer;
        private final String packageName;
        private final Set<String> permissions;

        AppContext(File assets, byte[] signer, String packageName, Set<String> permissions) {
            this.assets = new AssetManager(assets);
            this.signer = signer;
            this.packageName = packageName;
            this.permissions = permissions;
        }

        @Override
        public AssetManager getAssets() {
            return assets;
        }

        @Override
        public PackageManager getPackageManager() {
            return new PackageManager() {
                @Override
                public PackageInfo getPackageInfo(String name, int flags)
                        throws NameNotFoundException {
                    if (!name.equals(packageName)) {
                        throw new NameNotFoundException(name);
                    }
                    PackageInfo info = new PackageInfo();
                    info.packageName = name;
                    Signature[] signers = {new Signature(signer)};
                    if ((flags & GET_SIGNING_CERTIFICATES) != 0) {
                        info.signingInfo = new SigningInfo(signers);
                    }
                    if ((flags & GET_SIGNATURES) != 0) {
                        info.signatures = signers;
                    }
                    return info;
                }
            };
        }

        @Override
        public ContentResolver getContentResolver() {
            return new ContentResolver(this) {};
        }

        @Override
        public String getPackageName() {
            return packageName;
        }

        @Override
        public Object getSystemService(String name) {
            switch (name) {
                case TELEPHONY_SERVICE:
                    return new TelephonyManager();
                case LOCATION_SERVICE:
                    Location location = new Location("network");
                    location.setLatitude(52.5);
                    location.setLongitude(13.4);
                    return new LocationManager(location);
                case WIFI_SERVICE:
                    return new WifiManager(new WifiInfo("\"fixture-wifi\""));
                default:
                    return null;
            }
        }

        @Override
        public int checkCallingOrSelfPermission(String permission) {
            return permissions.contains(permission) ? 0 : -1;
        }

        @Override
        public void sendBroadcast(Intent intent) {
            BROADCASTS.add(intent);
        }
    }
}
