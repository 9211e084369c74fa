# Start-up hook of the mTLS Pre-Authentication runtime.
#
# Android creates every ContentProvider of an app before Application.onCreate, in
# descending android:initOrder, so this provider (initOrder 2147483647, exported=false,
# authority <package>.fusebox-init) installs the identity before the app's own code opens a
# connection. It works whether the app has an Application class, none, or a final one. Only
# Application.attachBaseContext and static initialisers of the app run earlier.
.class public final Lio/fusebox/runtime/InitProvider;
.super Landroid/content/ContentProvider;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
    return-void
.end method

# Called once by the framework on the main thread; install() never throws.
.method public onCreate()Z
    .registers 2
    invoke-virtual {p0}, Landroid/content/ContentProvider;->getContext()Landroid/content/Context;
    move-result-object v0
    invoke-static {v0}, Lio/fusebox/runtime/PreAuth;->install(Landroid/content/Context;)V
    const/4 v0, 0x1
    return v0
.end method

# The provider serves no data: every query and change is a no-op.
.method public query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    .registers 7
    const/4 v0, 0x0
    return-object v0
.end method

.method public getType(Landroid/net/Uri;)Ljava/lang/String;
    .registers 3
    const/4 v0, 0x0
    return-object v0
.end method

.method public insert(Landroid/net/Uri;Landroid/content/ContentValues;)Landroid/net/Uri;
    .registers 4
    const/4 v0, 0x0
    return-object v0
.end method

.method public delete(Landroid/net/Uri;Ljava/lang/String;[Ljava/lang/String;)I
    .registers 5
    const/4 v0, 0x0
    return v0
.end method

.method public update(Landroid/net/Uri;Landroid/content/ContentValues;Ljava/lang/String;[Ljava/lang/String;)I
    .registers 6
    const/4 v0, 0x0
    return v0
.end method
