# One SSLContext service of PreAuthProvider. newInstance() is overridden so that each
# instance knows its protocol and wraps a fresh platform SSLContext for it.
.class final Lio/fusebox/runtime/PreAuthService;
.super Ljava/security/Provider$Service;

.field private final protocol:Ljava/lang/String;
.field private final platform:Ljava/security/Provider;

.method constructor <init>(Ljava/security/Provider;Ljava/lang/String;Ljava/security/Provider;)V
    .registers 11
    # p1 our provider, p2 protocol, p3 platform provider
    move-object v0, p0
    move-object v1, p1
    const-string v2, "SSLContext"
    move-object v3, p2
    const-string v4, "io.fusebox.runtime.PreAuthSslContextSpi"
    const/4 v5, 0x0
    const/4 v6, 0x0
    invoke-direct/range {v0 .. v6}, Ljava/security/Provider$Service;-><init>(Ljava/security/Provider;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/util/List;Ljava/util/Map;)V
    iput-object p2, p0, Lio/fusebox/runtime/PreAuthService;->protocol:Ljava/lang/String;
    iput-object p3, p0, Lio/fusebox/runtime/PreAuthService;->platform:Ljava/security/Provider;
    return-void
.end method

# Default is a platform TLS context initialised at once with the identity and the platform's
# default trust managers (wrapped for pinned hosts); every other protocol is left for the
# app to initialise, as the platform's own contexts are.
.method public newInstance(Ljava/lang/Object;)Ljava/lang/Object;
    .registers 7
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthService;->protocol:Ljava/lang/String;
    iget-object v1, p0, Lio/fusebox/runtime/PreAuthService;->platform:Ljava/security/Provider;
    const-string v2, "Default"
    invoke-virtual {v2, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v2
    if-nez v2, :default

    invoke-static {v0, v1}, Ljavax/net/ssl/SSLContext;->getInstance(Ljava/lang/String;Ljava/security/Provider;)Ljavax/net/ssl/SSLContext;
    move-result-object v0
    new-instance v1, Lio/fusebox/runtime/PreAuthSslContextSpi;
    const/4 v2, 0x0
    invoke-direct {v1, v0, v2}, Lio/fusebox/runtime/PreAuthSslContextSpi;-><init>(Ljavax/net/ssl/SSLContext;Z)V
    return-object v1

    :default
    :try_start
    const-string v0, "TLS"
    invoke-static {v0, v1}, Ljavax/net/ssl/SSLContext;->getInstance(Ljava/lang/String;Ljava/security/Provider;)Ljavax/net/ssl/SSLContext;
    move-result-object v0
    sget-object v2, Lio/fusebox/runtime/PreAuth;->sKeyManagers:[Ljavax/net/ssl/KeyManager;
    const/4 v3, 0x0
    invoke-static {v3}, Lio/fusebox/runtime/PreAuth;->trustManagersFor([Ljavax/net/ssl/TrustManager;)[Ljavax/net/ssl/TrustManager;
    move-result-object v3
    const/4 v4, 0x0
    invoke-virtual {v0, v2, v3, v4}, Ljavax/net/ssl/SSLContext;->init([Ljavax/net/ssl/KeyManager;[Ljavax/net/ssl/TrustManager;Ljava/security/SecureRandom;)V
    :try_end
    .catch Ljava/security/KeyStoreException; {:try_start .. :try_end} :failed
    .catch Ljava/security/KeyManagementException; {:try_start .. :try_end} :failed
    new-instance v1, Lio/fusebox/runtime/PreAuthSslContextSpi;
    const/4 v2, 0x1
    invoke-direct {v1, v0, v2}, Lio/fusebox/runtime/PreAuthSslContextSpi;-><init>(Ljavax/net/ssl/SSLContext;Z)V
    return-object v1

    :failed
    move-exception v0
    new-instance v1, Ljava/security/NoSuchAlgorithmException;
    const-string v2, "cannot initialise the default SSLContext"
    invoke-direct {v1, v2, v0}, Ljava/security/NoSuchAlgorithmException;-><init>(Ljava/lang/String;Ljava/lang/Throwable;)V
    throw v1
.end method
