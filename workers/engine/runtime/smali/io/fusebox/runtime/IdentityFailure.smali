# Why the identity could not be loaded: a Threat-Event reasonCode and its reasonData.
.class final Lio/fusebox/runtime/IdentityFailure;
.super Ljava/lang/Exception;

.field final reasonCode:Ljava/lang/String;
.field final reasonData:Ljava/lang/String;

.method constructor <init>(Ljava/lang/String;Ljava/lang/String;)V
    .registers 3
    invoke-direct {p0, p1}, Ljava/lang/Exception;-><init>(Ljava/lang/String;)V
    iput-object p1, p0, Lio/fusebox/runtime/IdentityFailure;->reasonCode:Ljava/lang/String;
    iput-object p2, p0, Lio/fusebox/runtime/IdentityFailure;->reasonData:Ljava/lang/String;
    return-void
.end method
