# In-app defense step, run on the main looper: action 0 shows the message, action 1 ends
# the process (posted after the fail-safe enforcement delay).
.class final Lio/fusebox/runtime/Defense;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;

.field private final context:Landroid/content/Context;
.field private final message:Ljava/lang/String;
.field private final action:I

.method constructor <init>(Landroid/content/Context;Ljava/lang/String;I)V
    .registers 4
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lio/fusebox/runtime/Defense;->context:Landroid/content/Context;
    iput-object p2, p0, Lio/fusebox/runtime/Defense;->message:Ljava/lang/String;
    iput p3, p0, Lio/fusebox/runtime/Defense;->action:I
    return-void
.end method

.method public run()V
    .registers 4
    iget v0, p0, Lio/fusebox/runtime/Defense;->action:I
    if-nez v0, :end_app

    # A toast that cannot be shown must not stop the process from being ended later.
    :try_start_toast
    iget-object v0, p0, Lio/fusebox/runtime/Defense;->context:Landroid/content/Context;
    iget-object v1, p0, Lio/fusebox/runtime/Defense;->message:Ljava/lang/String;
    const/4 v2, 0x1
    invoke-static {v0, v1, v2}, Landroid/widget/Toast;->makeText(Landroid/content/Context;Ljava/lang/CharSequence;I)Landroid/widget/Toast;
    move-result-object v0
    invoke-virtual {v0}, Landroid/widget/Toast;->show()V
    :try_end_toast
    .catch Ljava/lang/Throwable; {:try_start_toast .. :try_end_toast} :toast_failed
    return-void

    :toast_failed
    move-exception v0
    const-string v1, "FuseboxPreAuth"
    const-string v2, "could not show the protection message"
    invoke-static {v1, v2, v0}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    return-void

    :end_app
    const-string v0, "FuseboxPreAuth"
    const-string v1, "ending the app: mTLS Pre-Authentication identity unavailable"
    invoke-static {v0, v1}, Landroid/util/Log;->w(Ljava/lang/String;Ljava/lang/String;)I
    invoke-static {}, Landroid/os/Process;->myPid()I
    move-result v0
    invoke-static {v0}, Landroid/os/Process;->killProcess(I)V
    return-void
.end method
