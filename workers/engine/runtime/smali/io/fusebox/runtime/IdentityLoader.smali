# Unseals the identity asset and turns it into key managers.
#
# Asset layout: "FBID" | version 0x01 | asset secret half (32) | GCM nonce (12) |
# AES-256-GCM ciphertext and tag, with the first 49 bytes as associated data.
# key = HKDF-SHA256(ikm = runtime half || asset half, salt = SHA-256 of the app's signing
# certificate, info = "fusebox-identity-v1" 0x00 package name), one 32-byte block.
# Plaintext (DataInputStream layout): UTF key algorithm, int length + PKCS#8 DER private
# key, int count, then int length + DER for each certificate of the chain, leaf first.
.class final Lio/fusebox/runtime/IdentityLoader;
.super Ljava/lang/Object;

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method static load(Landroid/content/Context;Ljava/util/Properties;)[Ljavax/net/ssl/KeyManager;
    .registers 10
    const-string v0, "signerSha256"
    const-string v1, ""
    invoke-virtual {p1, v0, v1}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    invoke-static {p0, v0}, Lio/fusebox/runtime/IdentityLoader;->matchingSignerDigest(Landroid/content/Context;Ljava/lang/String;)[B
    move-result-object v0

    const-string v1, "identityAsset"
    const-string v2, "fusebox/identity.bin"
    invoke-virtual {p1, v1, v2}, Ljava/util/Properties;->getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    invoke-static {p0, v1}, Lio/fusebox/runtime/IdentityLoader;->readAsset(Landroid/content/Context;Ljava/lang/String;)[B
    move-result-object v2

    const-string v3, "secret"
    invoke-virtual {p1, v3}, Ljava/util/Properties;->getProperty(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v3
    invoke-static {v3}, Lio/fusebox/runtime/IdentityLoader;->unhex(Ljava/lang/String;)[B
    move-result-object v3
    invoke-virtual {p0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
    move-result-object v4
    invoke-static {v2, v3, v0, v4}, Lio/fusebox/runtime/IdentityLoader;->decrypt([B[B[BLjava/lang/String;)[B
    move-result-object v5

    invoke-static {v5}, Lio/fusebox/runtime/IdentityLoader;->keyManagersFrom([B)[Ljavax/net/ssl/KeyManager;
    move-result-object v6
    const/4 v7, 0x0
    invoke-static {v5, v7}, Ljava/util/Arrays;->fill([BB)V
    return-object v6
.end method

# SHA-256 of the signing certificate that matches the build's expected signer. From API 28
# the current signer comes from SigningInfo (key rotation aware), before from signatures.
.method static matchingSignerDigest(Landroid/content/Context;Ljava/lang/String;)[B
    .registers 10
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v0
    invoke-virtual {p0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
    move-result-object v1
    sget v2, Landroid/os/Build$VERSION;->SDK_INT:I
    const/16 v3, 0x1c
    if-lt v2, v3, :legacy

    # PackageManager.GET_SIGNING_CERTIFICATES
    const/high16 v3, 0x8000000
    invoke-virtual {v0, v1, v3}, Landroid/content/pm/PackageManager;->getPackageInfo(Ljava/lang/String;I)Landroid/content/pm/PackageInfo;
    move-result-object v2
    iget-object v2, v2, Landroid/content/pm/PackageInfo;->signingInfo:Landroid/content/pm/SigningInfo;
    invoke-virtual {v2}, Landroid/content/pm/SigningInfo;->getApkContentsSigners()[Landroid/content/pm/Signature;
    move-result-object v2
    goto :digest

    # PackageManager.GET_SIGNATURES
    :legacy
    const/16 v3, 0x40
    invoke-virtual {v0, v1, v3}, Landroid/content/pm/PackageManager;->getPackageInfo(Ljava/lang/String;I)Landroid/content/pm/PackageInfo;
    move-result-object v2
    iget-object v2, v2, Landroid/content/pm/PackageInfo;->signatures:[Landroid/content/pm/Signature;

    :digest
    const-string v3, "none"
    if-eqz v2, :mismatch
    array-length v4, v2
    const/4 v5, 0x0

    :loop
    if-ge v5, v4, :mismatch
    aget-object v6, v2, v5
    invoke-virtual {v6}, Landroid/content/pm/Signature;->toByteArray()[B
    move-result-object v6
    invoke-static {v6}, Lio/fusebox/runtime/IdentityLoader;->sha256([B)[B
    move-result-object v6
    invoke-static {v6}, Lio/fusebox/runtime/IdentityLoader;->hex([B)Ljava/lang/String;
    move-result-object v7
    if-nez v5, :compare
    move-object v3, v7
    :compare
    invoke-virtual {v7, p1}, Ljava/lang/String;->equalsIgnoreCase(Ljava/lang/String;)Z
    move-result v0
    if-eqz v0, :next
    return-object v6
    :next
    add-int/lit8 v5, v5, 0x1
    goto :loop

    # reasonData is the actual signer's SHA-256 (public information, never a secret).
    :mismatch
    new-instance v0, Lio/fusebox/runtime/IdentityFailure;
    const-string v1, "IdentitySignerMismatch"
    invoke-direct {v0, v1, v3}, Lio/fusebox/runtime/IdentityFailure;-><init>(Ljava/lang/String;Ljava/lang/String;)V
    throw v0
.end method

.method static readAsset(Landroid/content/Context;Ljava/lang/String;)[B
    .registers 7
    :try_start
    invoke-virtual {p0}, Landroid/content/Context;->getAssets()Landroid/content/res/AssetManager;
    move-result-object v0
    invoke-virtual {v0, p1}, Landroid/content/res/AssetManager;->open(Ljava/lang/String;)Ljava/io/InputStream;
    move-result-object v0
    :try_end
    .catch Ljava/io/IOException; {:try_start .. :try_end} :missing

    new-instance v1, Ljava/io/ByteArrayOutputStream;
    invoke-direct {v1}, Ljava/io/ByteArrayOutputStream;-><init>()V
    const/16 v2, 0x2000
    new-array v2, v2, [B

    :read
    invoke-virtual {v0, v2}, Ljava/io/InputStream;->read([B)I
    move-result v3
    if-ltz v3, :done
    const/4 v4, 0x0
    invoke-virtual {v1, v2, v4, v3}, Ljava/io/ByteArrayOutputStream;->write([BII)V
    goto :read

    :done
    invoke-virtual {v0}, Ljava/io/InputStream;->close()V
    invoke-virtual {v1}, Ljava/io/ByteArrayOutputStream;->toByteArray()[B
    move-result-object v1
    return-object v1

    :missing
    new-instance v0, Lio/fusebox/runtime/IdentityFailure;
    const-string v1, "IdentityMissing"
    invoke-direct {v0, v1, p1}, Lio/fusebox/runtime/IdentityFailure;-><init>(Ljava/lang/String;Ljava/lang/String;)V
    throw v0
.end method

.method static decrypt([B[B[BLjava/lang/String;)[B
    .registers 15
    # p0 asset, p1 runtime secret half, p2 signer SHA-256, p3 package name
    array-length v0, p0
    const/16 v1, 0x41
    if-lt v0, v1, :malformed
    new-instance v1, Ljava/lang/String;
    const/4 v2, 0x0
    const/4 v3, 0x5
    const-string v4, "ISO-8859-1"
    invoke-direct {v1, p0, v2, v3, v4}, Ljava/lang/String;-><init>([BIILjava/lang/String;)V
    const-string v2, "FBID\u0001"
    invoke-virtual {v1, v2}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v1
    if-eqz v1, :malformed

    # ikm = runtime half || asset half
    array-length v1, p1
    add-int/lit8 v2, v1, 0x20
    new-array v2, v2, [B
    const/4 v3, 0x0
    invoke-static {p1, v3, v2, v3, v1}, Ljava/lang/System;->arraycopy(Ljava/lang/Object;ILjava/lang/Object;II)V
    const/4 v4, 0x5
    const/16 v5, 0x20
    invoke-static {p0, v4, v2, v1, v5}, Ljava/lang/System;->arraycopy(Ljava/lang/Object;ILjava/lang/Object;II)V

    # HKDF-Extract: prk = HMAC(salt = signer digest, ikm)
    const-string v3, "HmacSHA256"
    invoke-static {v3}, Ljavax/crypto/Mac;->getInstance(Ljava/lang/String;)Ljavax/crypto/Mac;
    move-result-object v4
    new-instance v5, Ljavax/crypto/spec/SecretKeySpec;
    invoke-direct {v5, p2, v3}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    invoke-virtual {v4, v5}, Ljavax/crypto/Mac;->init(Ljava/security/Key;)V
    invoke-virtual {v4, v2}, Ljavax/crypto/Mac;->doFinal([B)[B
    move-result-object v5
    const/4 v6, 0x0
    invoke-static {v2, v6}, Ljava/util/Arrays;->fill([BB)V

    # HKDF-Expand, first block: T(1) = HMAC(prk, info || 0x01)
    new-instance v6, Ljavax/crypto/spec/SecretKeySpec;
    invoke-direct {v6, v5, v3}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    invoke-virtual {v4, v6}, Ljavax/crypto/Mac;->init(Ljava/security/Key;)V
    const-string v6, "fusebox-identity-v1"
    const-string v7, "UTF-8"
    invoke-virtual {v6, v7}, Ljava/lang/String;->getBytes(Ljava/lang/String;)[B
    move-result-object v6
    invoke-virtual {v4, v6}, Ljavax/crypto/Mac;->update([B)V
    const/4 v6, 0x0
    invoke-virtual {v4, v6}, Ljavax/crypto/Mac;->update(B)V
    invoke-virtual {p3, v7}, Ljava/lang/String;->getBytes(Ljava/lang/String;)[B
    move-result-object v6
    invoke-virtual {v4, v6}, Ljavax/crypto/Mac;->update([B)V
    const/4 v6, 0x1
    invoke-virtual {v4, v6}, Ljavax/crypto/Mac;->update(B)V
    invoke-virtual {v4}, Ljavax/crypto/Mac;->doFinal()[B
    move-result-object v4

    const-string v5, "AES/GCM/NoPadding"
    invoke-static {v5}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v5

    # A wrong key (other signer, package or secret) or changed bytes fail the GCM tag.
    :try_start
    new-instance v6, Ljavax/crypto/spec/SecretKeySpec;
    const-string v7, "AES"
    invoke-direct {v6, v4, v7}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    new-instance v7, Ljavax/crypto/spec/GCMParameterSpec;
    const/16 v8, 0x80
    const/16 v9, 0x25
    const/16 v10, 0xc
    invoke-direct {v7, v8, p0, v9, v10}, Ljavax/crypto/spec/GCMParameterSpec;-><init>(I[BII)V
    const/4 v8, 0x2
    invoke-virtual {v5, v8, v6, v7}, Ljavax/crypto/Cipher;->init(ILjava/security/Key;Ljava/security/spec/AlgorithmParameterSpec;)V
    const/4 v8, 0x0
    const/16 v9, 0x31
    invoke-virtual {v5, p0, v8, v9}, Ljavax/crypto/Cipher;->updateAAD([BII)V
    array-length v8, p0
    sub-int/2addr v8, v9
    invoke-virtual {v5, p0, v9, v8}, Ljavax/crypto/Cipher;->doFinal([BII)[B
    move-result-object v5
    :try_end
    .catch Ljava/security/GeneralSecurityException; {:try_start .. :try_end} :tampered
    const/4 v6, 0x0
    invoke-static {v4, v6}, Ljava/util/Arrays;->fill([BB)V
    return-object v5

    :tampered
    move-exception v0
    new-instance v1, Lio/fusebox/runtime/IdentityFailure;
    const-string v2, "IdentityTampered"
    invoke-virtual {v0}, Ljava/lang/Object;->getClass()Ljava/lang/Class;
    move-result-object v3
    invoke-virtual {v3}, Ljava/lang/Class;->getSimpleName()Ljava/lang/String;
    move-result-object v3
    invoke-direct {v1, v2, v3}, Lio/fusebox/runtime/IdentityFailure;-><init>(Ljava/lang/String;Ljava/lang/String;)V
    throw v1

    :malformed
    new-instance v0, Lio/fusebox/runtime/IdentityFailure;
    const-string v1, "IdentityTampered"
    const-string v2, "asset header"
    invoke-direct {v0, v1, v2}, Lio/fusebox/runtime/IdentityFailure;-><init>(Ljava/lang/String;Ljava/lang/String;)V
    throw v0
.end method

# Builds X509 key managers over an in-memory key store, so the platform offers the client
# certificate only when a server's CertificateRequest names an issuer of its chain.
.method static keyManagersFrom([B)[Ljavax/net/ssl/KeyManager;
    .registers 11
    new-instance v0, Ljava/io/DataInputStream;
    new-instance v1, Ljava/io/ByteArrayInputStream;
    invoke-direct {v1, p0}, Ljava/io/ByteArrayInputStream;-><init>([B)V
    invoke-direct {v0, v1}, Ljava/io/DataInputStream;-><init>(Ljava/io/InputStream;)V

    invoke-virtual {v0}, Ljava/io/DataInputStream;->readUTF()Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v0}, Ljava/io/DataInputStream;->readInt()I
    move-result v2
    new-array v2, v2, [B
    invoke-virtual {v0, v2}, Ljava/io/DataInputStream;->readFully([B)V
    invoke-static {v1}, Ljava/security/KeyFactory;->getInstance(Ljava/lang/String;)Ljava/security/KeyFactory;
    move-result-object v1
    new-instance v3, Ljava/security/spec/PKCS8EncodedKeySpec;
    invoke-direct {v3, v2}, Ljava/security/spec/PKCS8EncodedKeySpec;-><init>([B)V
    invoke-virtual {v1, v3}, Ljava/security/KeyFactory;->generatePrivate(Ljava/security/spec/KeySpec;)Ljava/security/PrivateKey;
    move-result-object v1
    const/4 v3, 0x0
    invoke-static {v2, v3}, Ljava/util/Arrays;->fill([BB)V

    invoke-virtual {v0}, Ljava/io/DataInputStream;->readInt()I
    move-result v2
    new-array v3, v2, [Ljava/security/cert/Certificate;
    const-string v4, "X.509"
    invoke-static {v4}, Ljava/security/cert/CertificateFactory;->getInstance(Ljava/lang/String;)Ljava/security/cert/CertificateFactory;
    move-result-object v4
    const/4 v5, 0x0

    :chain
    if-ge v5, v2, :chain_done
    invoke-virtual {v0}, Ljava/io/DataInputStream;->readInt()I
    move-result v6
    new-array v6, v6, [B
    invoke-virtual {v0, v6}, Ljava/io/DataInputStream;->readFully([B)V
    new-instance v7, Ljava/io/ByteArrayInputStream;
    invoke-direct {v7, v6}, Ljava/io/ByteArrayInputStream;-><init>([B)V
    invoke-virtual {v4, v7}, Ljava/security/cert/CertificateFactory;->generateCertificate(Ljava/io/InputStream;)Ljava/security/cert/Certificate;
    move-result-object v6
    aput-object v6, v3, v5
    add-int/lit8 v5, v5, 0x1
    goto :chain

    :chain_done
    const/4 v5, 0x0
    aget-object v5, v3, v5
    check-cast v5, Ljava/security/cert/X509Certificate;
    :try_start
    invoke-virtual {v5}, Ljava/security/cert/X509Certificate;->checkValidity()V
    :try_end
    .catch Ljava/security/cert/CertificateExpiredException; {:try_start .. :try_end} :expired
    .catch Ljava/security/cert/CertificateNotYetValidException; {:try_start .. :try_end} :not_yet_valid

    invoke-static {}, Ljava/security/KeyStore;->getDefaultType()Ljava/lang/String;
    move-result-object v6
    invoke-static {v6}, Ljava/security/KeyStore;->getInstance(Ljava/lang/String;)Ljava/security/KeyStore;
    move-result-object v6
    const/4 v7, 0x0
    invoke-virtual {v6, v7, v7}, Ljava/security/KeyStore;->load(Ljava/io/InputStream;[C)V
    const-string v8, "fusebox"
    invoke-virtual {v8}, Ljava/lang/String;->toCharArray()[C
    move-result-object v8
    const-string v9, "fusebox-identity"
    invoke-virtual {v6, v9, v1, v8, v3}, Ljava/security/KeyStore;->setKeyEntry(Ljava/lang/String;Ljava/security/Key;[C[Ljava/security/cert/Certificate;)V

    invoke-static {}, Ljavax/net/ssl/KeyManagerFactory;->getDefaultAlgorithm()Ljava/lang/String;
    move-result-object v9
    invoke-static {v9}, Ljavax/net/ssl/KeyManagerFactory;->getInstance(Ljava/lang/String;)Ljavax/net/ssl/KeyManagerFactory;
    move-result-object v9
    invoke-virtual {v9, v6, v8}, Ljavax/net/ssl/KeyManagerFactory;->init(Ljava/security/KeyStore;[C)V
    invoke-virtual {v9}, Ljavax/net/ssl/KeyManagerFactory;->getKeyManagers()[Ljavax/net/ssl/KeyManager;
    move-result-object v9
    return-object v9

    :expired
    new-instance v0, Lio/fusebox/runtime/IdentityFailure;
    const-string v1, "IdentityExpired"
    invoke-virtual {v5}, Ljava/security/cert/X509Certificate;->getNotAfter()Ljava/util/Date;
    move-result-object v2
    invoke-virtual {v2}, Ljava/util/Date;->getTime()J
    move-result-wide v2
    invoke-static {v2, v3}, Ljava/lang/String;->valueOf(J)Ljava/lang/String;
    move-result-object v2
    invoke-direct {v0, v1, v2}, Lio/fusebox/runtime/IdentityFailure;-><init>(Ljava/lang/String;Ljava/lang/String;)V
    throw v0

    :not_yet_valid
    new-instance v0, Lio/fusebox/runtime/IdentityFailure;
    const-string v1, "IdentityNotYetValid"
    invoke-virtual {v5}, Ljava/security/cert/X509Certificate;->getNotBefore()Ljava/util/Date;
    move-result-object v2
    invoke-virtual {v2}, Ljava/util/Date;->getTime()J
    move-result-wide v2
    invoke-static {v2, v3}, Ljava/lang/String;->valueOf(J)Ljava/lang/String;
    move-result-object v2
    invoke-direct {v0, v1, v2}, Lio/fusebox/runtime/IdentityFailure;-><init>(Ljava/lang/String;Ljava/lang/String;)V
    throw v0
.end method

.method static sha256([B)[B
    .registers 2
    const-string v0, "SHA-256"
    invoke-static {v0}, Ljava/security/MessageDigest;->getInstance(Ljava/lang/String;)Ljava/security/MessageDigest;
    move-result-object v0
    invoke-virtual {v0, p0}, Ljava/security/MessageDigest;->digest([B)[B
    move-result-object v0
    return-object v0
.end method

.method static hex([B)Ljava/lang/String;
    .registers 6
    new-instance v0, Ljava/lang/StringBuilder;
    invoke-direct {v0}, Ljava/lang/StringBuilder;-><init>()V
    array-length v1, p0
    const/4 v2, 0x0
    :loop
    if-ge v2, v1, :done
    aget-byte v3, p0, v2
    and-int/lit16 v3, v3, 0xff
    or-int/lit16 v3, v3, 0x100
    invoke-static {v3}, Ljava/lang/Integer;->toHexString(I)Ljava/lang/String;
    move-result-object v3
    const/4 v4, 0x1
    invoke-virtual {v3, v4}, Ljava/lang/String;->substring(I)Ljava/lang/String;
    move-result-object v3
    invoke-virtual {v0, v3}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    add-int/lit8 v2, v2, 0x1
    goto :loop
    :done
    invoke-virtual {v0}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method static unhex(Ljava/lang/String;)[B
    .registers 6
    invoke-virtual {p0}, Ljava/lang/String;->length()I
    move-result v0
    div-int/lit8 v0, v0, 0x2
    new-array v1, v0, [B
    const/4 v2, 0x0
    :loop
    if-ge v2, v0, :done
    mul-int/lit8 v3, v2, 0x2
    add-int/lit8 v4, v3, 0x2
    invoke-virtual {p0, v3, v4}, Ljava/lang/String;->substring(II)Ljava/lang/String;
    move-result-object v3
    const/16 v4, 0x10
    invoke-static {v3, v4}, Ljava/lang/Integer;->parseInt(Ljava/lang/String;I)I
    move-result v3
    int-to-byte v3, v3
    aput-byte v3, v1, v2
    add-int/lit8 v2, v2, 0x1
    goto :loop
    :done
    return-object v1
.end method
