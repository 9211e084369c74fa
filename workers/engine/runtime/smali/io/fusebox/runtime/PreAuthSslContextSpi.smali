# SSLContextSpi that forwards everything to a platform SSLContext, except that init() with
# no key managers supplies the identity's (an app's own key managers are kept) and trust
# managers are wrapped for pinned hosts.
.class public final Lio/fusebox/runtime/PreAuthSslContextSpi;
.super Ljavax/net/ssl/SSLContextSpi;

.field private final delegate:Ljavax/net/ssl/SSLContext;
.field private final isDefault:Z

.method constructor <init>(Ljavax/net/ssl/SSLContext;Z)V
    .registers 3
    invoke-direct {p0}, Ljavax/net/ssl/SSLContextSpi;-><init>()V
    iput-object p1, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    iput-boolean p2, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->isDefault:Z
    return-void
.end method

.method protected engineInit([Ljavax/net/ssl/KeyManager;[Ljavax/net/ssl/TrustManager;Ljava/security/SecureRandom;)V
    .registers 6
    iget-boolean v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->isDefault:Z
    if-eqz v0, :init
    new-instance v0, Ljava/security/KeyManagementException;
    const-string v1, "Default SSLContext is initialized automatically"
    invoke-direct {v0, v1}, Ljava/security/KeyManagementException;-><init>(Ljava/lang/String;)V
    throw v0

    :init
    if-nez p1, :keep_key_managers
    sget-object p1, Lio/fusebox/runtime/PreAuth;->sKeyManagers:[Ljavax/net/ssl/KeyManager;
    :keep_key_managers
    invoke-static {p2}, Lio/fusebox/runtime/PreAuth;->trustManagersFor([Ljavax/net/ssl/TrustManager;)[Ljavax/net/ssl/TrustManager;
    move-result-object p2
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/SSLContext;->init([Ljavax/net/ssl/KeyManager;[Ljavax/net/ssl/TrustManager;Ljava/security/SecureRandom;)V
    return-void
.end method

.method protected engineGetSocketFactory()Ljavax/net/ssl/SSLSocketFactory;
    .registers 2
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getSocketFactory()Ljavax/net/ssl/SSLSocketFactory;
    move-result-object v0
    return-object v0
.end method

.method protected engineGetServerSocketFactory()Ljavax/net/ssl/SSLServerSocketFactory;
    .registers 2
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getServerSocketFactory()Ljavax/net/ssl/SSLServerSocketFactory;
    move-result-object v0
    return-object v0
.end method

.method protected engineCreateSSLEngine()Ljavax/net/ssl/SSLEngine;
    .registers 2
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->createSSLEngine()Ljavax/net/ssl/SSLEngine;
    move-result-object v0
    return-object v0
.end method

.method protected engineCreateSSLEngine(Ljava/lang/String;I)Ljavax/net/ssl/SSLEngine;
    .registers 4
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0, p1, p2}, Ljavax/net/ssl/SSLContext;->createSSLEngine(Ljava/lang/String;I)Ljavax/net/ssl/SSLEngine;
    move-result-object v0
    return-object v0
.end method

.method protected engineGetServerSessionContext()Ljavax/net/ssl/SSLSessionContext;
    .registers 2
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getServerSessionContext()Ljavax/net/ssl/SSLSessionContext;
    move-result-object v0
    return-object v0
.end method

.method protected engineGetClientSessionContext()Ljavax/net/ssl/SSLSessionContext;
    .registers 2
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getClientSessionContext()Ljavax/net/ssl/SSLSessionContext;
    move-result-object v0
    return-object v0
.end method

.method protected engineGetDefaultSSLParameters()Ljavax/net/ssl/SSLParameters;
    .registers 2
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getDefaultSSLParameters()Ljavax/net/ssl/SSLParameters;
    move-result-object v0
    return-object v0
.end method

.method protected engineGetSupportedSSLParameters()Ljavax/net/ssl/SSLParameters;
    .registers 2
    iget-object v0, p0, Lio/fusebox/runtime/PreAuthSslContextSpi;->delegate:Ljavax/net/ssl/SSLContext;
    invoke-virtual {v0}, Ljavax/net/ssl/SSLContext;->getSupportedSSLParameters()Ljavax/net/ssl/SSLParameters;
    move-result-object v0
    return-object v0
.end method
