# Entry point of the mTLS Pre-Authentication runtime and its process-wide state.
#
# install() reads the per-build values, decrypts the sealed identity for this app's actual
# signer and package, then inserts PreAuthProvider at position 1 so that every
# SSLContext.getInstance("TLS"/"Default"/...) returns a context that presents the identity,
# and replaces the default SSLContext and HttpsURLConnection factory for contexts created
# earlier. Any failure raises the mTLSPreAuthentication Threat-Event instead of crashing.
.class public final Lio/fusebox/runtime/PreAuth;
.super Ljava/lang/Object;

.field static sContext:Landroid/content/Context;
.field static sConfig:Ljava/util/Properties;
.field static sKeyManagers:[Ljavax/net/ssl/KeyManager;
.field static sPinnedHosts:[Ljava/lang/String;
.field static sInstalled:Z

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static declared-synchronized install(Landroid/content/Context;)V
    .registers 6
    sget-boolean v0, Lio/fusebox/runtime/PreAuth;->sInstalled:Z
    if-eqz v0, :first_call
    return-void

    :first_call
    const/4 v0, 0x1
    sput-boolean v0, Lio/fusebox/runtime/PreAuth;->sInstalled:Z
    sput-object p0, Lio/fusebox/runtime/PreAuth;->sContext:Landroid/content/Context;
    const/4 v1, 0x0

    :try_start
    invoke-static {}, Lio/fusebox/runtime/PreAuth;->loadBuildValues()Ljava/util/Properties;
    move-result-object v1
    sput-object v1, Lio/fusebox/runtime/PreAuth;->sConfig:Ljava/util/Properties;

    # The committed DEX carries only a placeholder: an unpatched runtime does nothing.
    const-string v2, "secret"
    invoke-virtual {v1, v2}, Ljava/util/Properties;->getProperty(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    if-nez v2, :configured
    const-string v3, "FuseboxPreAuth"
    const-string v4, "runtime has no build values: identity not installed"
    invoke-static {v3, v4}, Landroid/util/Log;->w(Ljava/lang/String;Ljava/lang/String;)I
    return-void

    :configured
    invoke-static {v1}, Lio/fusebox/runtime/PreAuth;->parsePinnedHosts(Ljava/util/Properties;)[Ljava/lang/String;
    move-result-object v2
    sput-object v2, Lio/fusebox/runtime/PreAuth;->sPinnedHosts:[Ljava/lang/String;

    invoke-static {p0, v1}, Lio/fusebox/runtime/IdentityLoader;->load(Landroid/content/Context;Ljava/util/Properties;)[Ljavax/net/ssl/KeyManager;
    move-result-object v2
    sput-object v2, Lio/fusebox/runtime/PreAuth;->sKeyManagers:[Ljavax/net/ssl/KeyManager;

    invoke-static {}, Lio/fusebox/runtime/PreAuth;->installProvider()V
    const-string v3, "FuseboxPreAuth"
    const-string v4, "mTLS Pre-Authentication identity installed"
    invoke-static {v3, v4}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
    :try_end
    .catch Lio/fusebox/runtime/IdentityFailure; {:try_start .. :try_end} :identity_failed
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :runtime_failed
    return-void

    :identity_failed
    move-exception v2
    iget-object v3, v2, Lio/fusebox/runtime/IdentityFailure;->reasonCode:Ljava/lang/String;
    iget-object v4, v2, Lio/fusebox/runtime/IdentityFailure;->reasonData:Ljava/lang/String;
    invoke-static {p0, v1, v3, v4}, Lio/fusebox/runtime/ThreatEvent;->raise(Landroid/content/Context;Ljava/util/Properties;Ljava/lang/String;Ljava/lang/String;)V
    return-void

    :runtime_failed
    move-exception v2
    const-string v3, "FuseboxPreAuth"
    const-string v4, "mTLS Pre-Authentication runtime failed to start"
    invoke-static {v3, v4, v2}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    const-string v3, "RuntimeFailure"
    invoke-virtual {v2}, Ljava/lang/Object;->getClass()Ljava/lang/Class;
    move-result-object v4
    invoke-virtual {v4}, Ljava/lang/Class;->getName()Ljava/lang/String;
    move-result-object v4
    invoke-static {p0, v1, v3, v4}, Lio/fusebox/runtime/ThreatEvent;->raise(Landroid/content/Context;Ljava/util/Properties;Ljava/lang/String;Ljava/lang/String;)V
    return-void
.end method

# Per-build values live in BuildValues' byte array as java.util.Properties text (ISO-8859-1,
# newline padded), so they stay readable when the identity does not decrypt.
.method static loadBuildValues()Ljava/util/Properties;
    .registers 3
    new-instance v0, Ljava/util/Properties;
    invoke-direct {v0}, Ljava/util/Properties;-><init>()V
    new-instance v1, Ljava/io/ByteArrayInputStream;
    invoke-static {}, Lio/fusebox/runtime/BuildValues;->blob()[B
    move-result-object v2
    invoke-direct {v1, v2}, Ljava/io/ByteArrayInputStream;-><init>([B)V
    invoke-virtual {v0, v1}, Ljava/util/Properties;->load(Ljava/io/InputStream;)V
    return-object v0
.end method

# pinnedHosts is a comma-separated list of lower-case host names, possibly empty.
.method static parsePinnedHosts(Ljava/util/Properties;)[Ljava/lang/String;
    .registers 3
    const-string v0, "pinnedHosts"
    const-string v1, ""
    invoke-virtual {p0, v0, v1}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    invoke-virtual {v0}, Ljava/lang/String;->trim()Ljava/lang/String;
    move-result-object v0
    invoke-virtual {v0}, Ljava/lang/String;->isEmpty()Z
    move-result v1
    if-eqz v1, :split
    const/4 v1, 0x0
    new-array v1, v1, [Ljava/lang/String;
    return-object v1

    :split
    const-string v1, ","
    invoke-virtual {v0, v1}, Ljava/lang/String;->split(Ljava/lang/String;)[Ljava/lang/String;
    move-result-object v1
    return-object v1
.end method

# A host is pinned when it equals a pinned name or is a subdomain of one.
.method static isPinned(Ljava/lang/String;)Z
    .registers 7
    const/4 v0, 0x0
    if-eqz p0, :no
    sget-object v1, Lio/fusebox/runtime/PreAuth;->sPinnedHosts:[Ljava/lang/String;
    if-eqz v1, :no
    sget-object v2, Ljava/util/Locale;->ROOT:Ljava/util/Locale;
    invoke-virtual {p0, v2}, Ljava/lang/String;->toLowerCase(Ljava/util/Locale;)Ljava/lang/String;
    move-result-object v2
    array-length v3, v1

    :loop
    if-ge v0, v3, :not_found
    aget-object v4, v1, v0
    invoke-virtual {v2, v4}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v5
    if-nez v5, :yes
    const-string v5, "."
    invoke-virtual {v5, v4}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    invoke-virtual {v2, v5}, Ljava/lang/String;->endsWith(Ljava/lang/String;)Z
    move-result v5
    if-nez v5, :yes
    add-int/lit8 v0, v0, 0x1
    goto :loop

    :yes
    const/4 v0, 0x1
    return v0

    :not_found
    const/4 v0, 0x0
    :no
    return v0
.end method

# Called by PinningTrustManager when the platform rejected a server's certificate chain.
.method static serverTrustFailed(Ljava/lang/String;)V
    .registers 4
    invoke-static {p0}, Lio/fusebox/runtime/PreAuth;->isPinned(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :not_pinned
    sget-object v0, Lio/fusebox/runtime/PreAuth;->sContext:Landroid/content/Context;
    sget-object v1, Lio/fusebox/runtime/PreAuth;->sConfig:Ljava/util/Properties;
    const-string v2, "PinnedHostTrustFailure"
    invoke-static {v0, v1, v2, p0}, Lio/fusebox/runtime/ThreatEvent;->raise(Landroid/content/Context;Ljava/util/Properties;Ljava/lang/String;Ljava/lang/String;)V
    :not_pinned
    return-void
.end method

# The platform's JSSE provider: the first one, other than ours, that serves SSLContext.TLS.
.method static platformProvider()Ljava/security/Provider;
    .registers 6
    invoke-static {}, Ljava/security/Security;->getProviders()[Ljava/security/Provider;
    move-result-object v0
    array-length v1, v0
    const/4 v2, 0x0

    :loop
    if-ge v2, v1, :none
    aget-object v3, v0, v2
    instance-of v4, v3, Lio/fusebox/runtime/PreAuthProvider;
    if-nez v4, :next
    const-string v4, "SSLContext"
    const-string v5, "TLS"
    invoke-virtual {v3, v4, v5}, Ljava/security/Provider;->getService(Ljava/lang/String;Ljava/lang/String;)Ljava/security/Provider$Service;
    move-result-object v4
    if-eqz v4, :next
    return-object v3
    :next
    add-int/lit8 v2, v2, 0x1
    goto :loop

    :none
    new-instance v0, Ljava/security/NoSuchAlgorithmException;
    const-string v1, "no platform provider serves SSLContext.TLS"
    invoke-direct {v0, v1}, Ljava/security/NoSuchAlgorithmException;-><init>(Ljava/lang/String;)V
    throw v0
.end method

# Insert the provider first, then make the default context and factories present the identity.
.method static installProvider()V
    .registers 4
    invoke-static {}, Lio/fusebox/runtime/PreAuth;->platformProvider()Ljava/security/Provider;
    move-result-object v0
    new-instance v1, Lio/fusebox/runtime/PreAuthProvider;
    invoke-direct {v1, v0}, Lio/fusebox/runtime/PreAuthProvider;-><init>(Ljava/security/Provider;)V
    const/4 v2, 0x1
    invoke-static {v1, v2}, Ljava/security/Security;->insertProviderAt(Ljava/security/Provider;I)I

    # Android's security.properties names Conscrypt's socket factory class here, which
    # would make SSLSocketFactory.getDefault() bypass SSLContext.getDefault(); an empty
    # value counts as unset, so the default factory comes from the default context below.
    const-string v2, "ssl.SocketFactory.provider"
    const-string v3, ""
    invoke-static {v2, v3}, Ljava/security/Security;->setProperty(Ljava/lang/String;Ljava/lang/String;)V

    const-string v2, "Default"
    invoke-static {v2, v1}, Ljavax/net/ssl/SSLContext;->getInstance(Ljava/lang/String;Ljava/security/Provider;)Ljavax/net/ssl/SSLContext;
    move-result-object v2
    invoke-static {v2}, Ljavax/net/ssl/SSLContext;->setDefault(Ljavax/net/ssl/SSLContext;)V
    invoke-virtual {v2}, Ljavax/net/ssl/SSLContext;->getSocketFactory()Ljavax/net/ssl/SSLSocketFactory;
    move-result-object v3
    invoke-static {v3}, Ljavax/net/ssl/HttpsURLConnection;->setDefaultSSLSocketFactory(Ljavax/net/ssl/SSLSocketFactory;)V
    return-void
.end method

# Trust managers for a context being initialised. Without pinned hosts, or below API 24
# (no X509ExtendedTrustManager, no network security config), the app's choice is kept
# unchanged; otherwise each X509TrustManager (the platform's default ones when the app
# passed null) is wrapped so that a pinned host's trust failure raises the Threat-Event.
.method static trustManagersFor([Ljavax/net/ssl/TrustManager;)[Ljavax/net/ssl/TrustManager;
    .registers 6
    sget-object v0, Lio/fusebox/runtime/PreAuth;->sPinnedHosts:[Ljava/lang/String;
    if-eqz v0, :unchanged
    array-length v0, v0
    if-eqz v0, :unchanged
    sget v0, Landroid/os/Build$VERSION;->SDK_INT:I
    const/16 v1, 0x18
    if-lt v0, v1, :unchanged

    if-nez p0, :wrap
    invoke-static {}, Ljavax/net/ssl/TrustManagerFactory;->getDefaultAlgorithm()Ljava/lang/String;
    move-result-object v0
    invoke-static {v0}, Ljavax/net/ssl/TrustManagerFactory;->getInstance(Ljava/lang/String;)Ljavax/net/ssl/TrustManagerFactory;
    move-result-object v0
    const/4 v1, 0x0
    check-cast v1, Ljava/security/KeyStore;
    invoke-virtual {v0, v1}, Ljavax/net/ssl/TrustManagerFactory;->init(Ljava/security/KeyStore;)V
    invoke-virtual {v0}, Ljavax/net/ssl/TrustManagerFactory;->getTrustManagers()[Ljavax/net/ssl/TrustManager;
    move-result-object p0

    :wrap
    array-length v0, p0
    new-array v1, v0, [Ljavax/net/ssl/TrustManager;
    const/4 v2, 0x0

    :loop
    if-ge v2, v0, :done
    aget-object v3, p0, v2
    instance-of v4, v3, Ljavax/net/ssl/X509TrustManager;
    if-eqz v4, :store
    new-instance v4, Lio/fusebox/runtime/PinningTrustManager;
    check-cast v3, Ljavax/net/ssl/X509TrustManager;
    invoke-direct {v4, v3}, Lio/fusebox/runtime/PinningTrustManager;-><init>(Ljavax/net/ssl/X509TrustManager;)V
    move-object v3, v4
    :store
    aput-object v3, v1, v2
    add-int/lit8 v2, v2, 0x1
    goto :loop

    :done
    return-object v1

    :unchanged
    return-object p0
.end method
