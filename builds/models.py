"""Uploaded apps, the builds that fuse them, their log lines and the webhooks told of results.

The build row is the pipeline's source of truth: its status, attempt, dispatch number and
heartbeat decide which worker may run which step, so a redelivered or duplicated task is a
harmless no-op and a dead worker's build is found by the reaper.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from console.tenancy import TenantModel
from vault.sealing import SealedFieldsMixin

USER_MODEL = settings.AUTH_USER_MODEL


class App(TenantModel):
    """An original app as uploaded: stored under a server-generated name, analysed once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=255, help_text="The name the uploader gave.")
    storage_name = models.CharField(max_length=400, editable=False)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    package = models.CharField(max_length=255, blank=True)
    version_name = models.CharField(max_length=120, blank=True)
    version_code = models.BigIntegerField(null=True, blank=True)
    analysis = models.JSONField(default=dict)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_token = models.ForeignKey(
        "console.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sha256"], name="one_app_per_sha256")
        ]
        indexes = [models.Index(fields=["organization", "-uploaded_at"], name="app_org_recent")]

    def __str__(self) -> str:
        label = self.package or self.file_name
        return f"{label} {self.version_name}".strip()


class Build(TenantModel):
    """One fusion of an app with a Fusion Set revision, its signing choice and its outcome."""

    QUEUED = "queued"
    VALIDATING = "validating"
    FUSING = "fusing"
    SIGNING = "signing"
    CERTIFYING = "certifying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    STATUSES = [
        (QUEUED, "Queued"),
        (VALIDATING, "Validating"),
        (FUSING, "Fusing"),
        (SIGNING, "Signing"),
        (CERTIFYING, "Certifying"),
        (SUCCEEDED, "Succeeded"),
        (FAILED, "Failed"),
        (CANCELLED, "Cancelled"),
    ]
    STEPS = (VALIDATING, FUSING, SIGNING, CERTIFYING)
    RUNNING = (QUEUED, *STEPS)
    ENDED = (SUCCEEDED, FAILED, CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    app = models.ForeignKey(App, on_delete=models.PROTECT, related_name="builds")
    fusion_set = models.ForeignKey(
        "fusionsets.FusionSet", on_delete=models.PROTECT, related_name="builds"
    )
    fusion_set_revision = models.ForeignKey(
        "fusionsets.FusionSetRevision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    plan = models.JSONField(default=dict)
    overrides = models.JSONField(default=dict, blank=True)
    signing_method = models.CharField(max_length=20)
    signing_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 (hex) the output is bound to."
    )

    status = models.CharField(max_length=20, choices=STATUSES, default=QUEUED)
    reason_code = models.CharField(max_length=80, blank=True)
    reason_message = models.TextField(blank=True)
    attempt = models.PositiveIntegerField(default=1)
    max_attempts = models.PositiveIntegerField(default=3)
    dispatch = models.PositiveIntegerField(
        default=0, help_text="Number of the task message allowed to run the current step."
    )
    claimed = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)

    output_name = models.CharField(max_length=400, blank=True)
    output_size = models.BigIntegerField(null=True, blank=True)
    output_sha256 = models.CharField(max_length=64, blank=True)
    script_name = models.CharField(max_length=400, blank=True)
    signer_sha256 = models.CharField(max_length=64, blank=True)
    signature_schemes = models.CharField(max_length=40, blank=True)
    proof = models.JSONField(default=dict, blank=True)

    requested_by = models.ForeignKey(
        USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_token = models.ForeignKey(
        "console.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(max_length=200, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="build_org_recent"),
            models.Index(
                fields=["organization", "status", "-created_at", "-id"], name="build_org_status"
            ),
            models.Index(fields=["organization", "app", "-created_at"], name="build_org_app"),
            models.Index(
                fields=["organization", "fusion_set", "-created_at"], name="build_org_set"
            ),
            models.Index(
                fields=["organization", "requested_by_label", "-created_at"], name="build_org_who"
            ),
            models.Index(fields=["status", "heartbeat_at"], name="build_reaper"),
        ]

    def __str__(self) -> str:
        return f"build {str(self.pk)[:8]}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_ended(self) -> bool:
        return self.status in self.ENDED

    @property
    def progress_percent(self) -> int:
        """A coarse progress figure for the console's bar: steps done out of five."""
        if self.status == self.SUCCEEDED:
            return 100
        if self.status in (self.FAILED, self.CANCELLED):
            return 100
        order = [self.QUEUED, *self.STEPS]
        return int(100 * (order.index(self.status) + 0.5) / (len(order) + 1))


class BuildMessage(models.Model):
    """One timestamped line of a build's log, written by the step that did the work."""

    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField(default=timezone.now)
    step = models.CharField(max_length=20)
    level = models.CharField(max_length=10, default="info")
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["build", "at"], name="buildmessage_build_at")]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.text}"


class Webhook(SealedFieldsMixin, TenantModel):
    """A URL told of every build's end with a JSON summary signed by HMAC-SHA256."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.URLField(max_length=500)
    secret_sealed = models.BinaryField(editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(TenantModel):
    """One POST of one build's summary to one webhook, retried with backoff until it lands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    STATUSES = [(PENDING, "Pending"), (DELIVERED, "Delivered"), (FAILED, "Failed")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook.url}"
