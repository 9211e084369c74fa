# Security provider inserted at position 1. It serves SSLContext for the protocols the
# platform's own JSSE provider serves (TLS, TLSv1.2, TLSv1.3, SSL) plus Default, each a
# wrapper around the platform's implementation obtained by the public
# SSLContext.getInstance(protocol, provider) API.
.class final Lio/fusebox/runtime/PreAuthProvider;
.super Ljava/security/Provider;

.method constructor <init>(Ljava/security/Provider;)V
    .registers 9
    # p1 = the platform provider
    const-string v0, "FuseboxPreAuth"
    const-wide/high16 v1, 0x3ff0000000000000L    # 1.0
    const-string v3, "mTLS Pre-Authentication: platform SSLContext with the app's identity"
    invoke-direct {p0, v0, v1, v2, v3}, Ljava/security/Provider;-><init>(Ljava/lang/String;DLjava/lang/String;)V

    const/4 v0, 0x4
    new-array v0, v0, [Ljava/lang/String;
    const/4 v1, 0x0
    const-string v2, "TLS"
    aput-object v2, v0, v1
    const/4 v1, 0x1
    const-string v2, "TLSv1.2"
    aput-object v2, v0, v1
    const/4 v1, 0x2
    const-string v2, "TLSv1.3"
    aput-object v2, v0, v1
    const/4 v1, 0x3
    const-string v2, "SSL"
    aput-object v2, v0, v1

    array-length v1, v0
    const/4 v2, 0x0
    :loop
    if-ge v2, v1, :default
    aget-object v3, v0, v2
    const-string v4, "SSLContext"
    invoke-virtual {p1, v4, v3}, Ljava/security/Provider;->getService(Ljava/lang/String;Ljava/lang/String;)Ljava/security/Provider$Service;
    move-result-object v4
    if-eqz v4, :next
    new-instance v4, Lio/fusebox/runtime/PreAuthService;
    invoke-direct {v4, p0, v3, p1}, Lio/fusebox/runtime/PreAuthService;-><init>(Ljava/security/Provider;Ljava/lang/String;Ljava/security/Provider;)V
    invoke-virtual {p0, v4}, Lio/fusebox/runtime/PreAuthProvider;->putService(Ljava/security/Provider$Service;)V
    :next
    add-int/lit8 v2, v2, 0x1
    goto :loop

    # Default is built from the platform's TLS, so it is served whenever TLS is.
    :default
    new-instance v4, Lio/fusebox/runtime/PreAuthService;
    const-string v3, "Default"
    invoke-direct {v4, p0, v3, p1}, Lio/fusebox/runtime/PreAuthService;-><init>(Ljava/security/Provider;Ljava/lang/String;Ljava/security/Provider;)V
    invoke-virtual {p0, v4}, Lio/fusebox/runtime/PreAuthProvider;->putService(Ljava/security/Provider$Service;)V
    return-void
.end method
