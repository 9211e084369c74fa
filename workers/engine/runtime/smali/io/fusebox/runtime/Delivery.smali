# Sends a built Threat-Event broadcast from the main looper. Posted from provider start-up,
# it runs after Application.onCreate, so receivers the app registers there receive it.
.class final Lio/fusebox/runtime/Delivery;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;

.field private final context:Landroid/content/Context;
.field private final intent:Landroid/content/Intent;

.method constructor <init>(Landroid/content/Context;Landroid/content/Intent;)V
    .registers 3
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lio/fusebox/runtime/Delivery;->context:Landroid/content/Context;
    iput-object p2, p0, Lio/fusebox/runtime/Delivery;->intent:Landroid/content/Intent;
    return-void
.end method

.method public run()V
    .registers 4
    :try_start
    iget-object v0, p0, Lio/fusebox/runtime/Delivery;->context:Landroid/content/Context;
    iget-object v1, p0, Lio/fusebox/runtime/Delivery;->intent:Landroid/content/Intent;
    invoke-virtual {v0, v1}, Landroid/content/Context;->sendBroadcast(Landroid/content/Intent;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed
    return-void

    :failed
    move-exception v0
    const-string v1, "FuseboxPreAuth"
    const-string v2, "Threat-Event mTLSPreAuthentication could not be delivered"
    invoke-static {v1, v2, v0}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    return-void
.end method
