# Wraps a platform X509TrustManager (API 24+) without changing its decision: every call is
# forwarded, to the host-aware variants when the platform's manager has them (Android's
# network security config needs the host). When the platform rejects a server whose host is
# pinned, the mTLSPreAuthentication Threat-Event is raised before the failure is rethrown.
.class final Lio/fusebox/runtime/PinningTrustManager;
.super Ljavax/net/ssl/X509ExtendedTrustManager;

.field private final delegate:Ljavax/net/ssl/X509TrustManager;

.method constructor <init>(Ljavax/net/ssl/X509TrustManager;)V
    .registers 2
    invoke-direct {p0}, Ljavax/net/ssl/X509ExtendedTrustManager;-><init>()V
    iput-object p1, p0, Lio/fusebox/runtime/PinningTrustManager;->delegate:Ljavax/net/ssl/X509TrustManager;
    return-void
.end method

.method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    .registers 4
    iget-object v0, p0, Lio/fusebox/runtime/PinningTrustManager;->delegate:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

.method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
    .registers 6
    iget-object v0, p0, Lio/fusebox/runtime/PinningTrustManager;->delegate:Ljavax/net/ssl/X509TrustManager;
    instance-of v1, v0, Ljavax/net/ssl/X509ExtendedTrustManager;
    if-eqz v1, :plain
    check-cast v0, Ljavax/net/ssl/X509ExtendedTrustManager;
    invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
    return-void
    :plain
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

.method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
    .registers 6
    iget-object v0, p0, Lio/fusebox/runtime/PinningTrustManager;->delegate:Ljavax/net/ssl/X509TrustManager;
    instance-of v1, v0, Ljavax/net/ssl/X509ExtendedTrustManager;
    if-eqz v1, :plain
    check-cast v0, Ljavax/net/ssl/X509ExtendedTrustManager;
    invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
    return-void
    :plain
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

# Without a host the failure cannot be tied to a pinned host: forwarded as is.
.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    .registers 4
    iget-object v0, p0, Lio/fusebox/runtime/PinningTrustManager;->delegate:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
    .registers 7
    const/4 v2, 0x0
    instance-of v0, p3, Ljavax/net/ssl/SSLSocket;
    if-eqz v0, :check
    move-object v0, p3
    check-cast v0, Ljavax/net/ssl/SSLSocket;
    invoke-virtual {v0}, Ljavax/net/ssl/SSLSocket;->getHandshakeSession()Ljavax/net/ssl/SSLSession;
    move-result-object v0
    if-eqz v0, :check
    invoke-interface {v0}, Ljavax/net/ssl/SSLSession;->getPeerHost()Ljava/lang/String;
    move-result-object v2

    :check
    :try_start
    iget-object v0, p0, Lio/fusebox/runtime/PinningTrustManager;->delegate:Ljavax/net/ssl/X509TrustManager;
    instance-of v1, v0, Ljavax/net/ssl/X509ExtendedTrustManager;
    if-eqz v1, :plain
    check-cast v0, Ljavax/net/ssl/X509ExtendedTrustManager;
    invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
    return-void
    :plain
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    :try_end
    .catch Ljava/security/cert/CertificateException; {:try_start .. :try_end} :rejected
    return-void

    :rejected
    move-exception v0
    invoke-static {v2}, Lio/fusebox/runtime/PreAuth;->serverTrustFailed(Ljava/lang/String;)V
    throw v0
.end method

.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
    .registers 7
    const/4 v2, 0x0
    if-eqz p3, :check
    invoke-virtual {p3}, Ljavax/net/ssl/SSLEngine;->getPeerHost()Ljava/lang/String;
    move-result-object v2

    :check
    :try_start
    iget-object v0, p0, Lio/fusebox/runtime/PinningTrustManager;->delegate:Ljavax/net/ssl/X509TrustManager;
    instance-of v1, v0, Ljavax/net/ssl/X509ExtendedTrustManager;
    if-eqz v1, :plain
    check-cast v0, Ljavax/net/ssl/X509ExtendedTrustManager;
    invoke-virtual {v0, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
    return-void
    :plain
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    :try_end
    .catch Ljava/security/cert/CertificateException; {:try_start .. :try_end} :rejected
    return-void

    :rejected
    move-exception v0
    invoke-static {v2}, Lio/fusebox/runtime/PreAuth;->serverTrustFailed(Ljava/lang/String;)V
    throw v0
.end method

.method public getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
    .registers 2
    iget-object v0, p0, Lio/fusebox/runtime/PinningTrustManager;->delegate:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0}, Ljavax/net/ssl/X509TrustManager;->getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
    move-result-object v0
    return-object v0
.end method
