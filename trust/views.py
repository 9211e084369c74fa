"""Console pages for trust material: overview, upload forms, detail pages, issue, delete."""

import logging

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from console.mixins import TenantViewMixin
from trust import forms, services
from trust.errors import TrustError
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore
from trust.usage import usage_of
from trust.validation import MAX_CA_UPLOAD_BYTES, MAX_P12_BYTES

logger = logging.getLogger(__name__)


def read_upload(uploaded, limit: int) -> bytes:
    """Read at most limit + 1 bytes so an oversized upload is refused without filling memory."""
    if uploaded is None:
        return b""
    return uploaded.read(limit + 1)


class TrustOverviewView(TenantViewMixin, TemplateView):
    template_name = "trust/overview.html"
    required_permission = "trust.view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cas"] = CACertificate.objects.all()
        context["identities"] = ClientIdentity.objects.select_related("ca")
        context["keystores"] = SigningKeystore.objects.all()
        context["fingerprints"] = SigningFingerprint.objects.all()
        return context


class TrustFormView(TenantViewMixin, FormView):
    """Runs a service with the form's data; a `TrustError` lands next to its field."""

    required_permission = "trust.manage"
    template_name = "trust/form.html"
    title = ""
    intro = ""
    submit_label = "Upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, intro=self.intro, submit_label=self.submit_label)
        return context

    def form_valid(self, form):
        try:
            item = self.perform(form.cleaned_data)
        except TrustError as error:
            logger.info(
                "trust upload refused for organization %s: %s", self.organization.pk, error.code
            )
            form.add_trust_error(error)
            return self.form_invalid(form)
        messages.success(self.request, f"“{item.name}” saved.")
        return redirect(self.success_url_for(item))

    def success_url_for(self, item):
        return item_url(item)

    def actor(self) -> dict:
        return {"actor": self.request.user, "request": self.request}


def item_url(item) -> str:
    from django.urls import reverse

    names = {
        CACertificate: "trust-ca-detail",
        ClientIdentity: "trust-identity-detail",
        SigningKeystore: "trust-keystore-detail",
        SigningFingerprint: "trust-fingerprint-detail",
    }
    return reverse(names[type(item)], args=[item.pk])


class CACreateView(TrustFormView):
    form_class = forms.CACertificateForm
    title = "Add a CA certificate"
    intro = (
        "The CA your backend trusts for client certificates. Fusebox checks it is a CA, "
        "currently valid, RSA ≥ 2048 or EC P-256/P-384, and not signed with SHA-1 or MD5."
    )

    def perform(self, data):
        return services.create_ca(
            data["name"],
            read_upload(data["file"], MAX_CA_UPLOAD_BYTES),
            private_key=read_upload(data.get("private_key"), MAX_CA_UPLOAD_BYTES) or None,
            private_key_password=data.get("private_key_password") or "",
            **self.actor(),
        )


class IdentityCreateView(TrustFormView):
    form_class = forms.ClientIdentityForm
    title = "Add a client identity"
    intro = (
        "The certificate and private key the fused app presents for mTLS. It must chain to "
        "one of your CA certificates and allow clientAuth."
    )

    def get_initial(self):
        return {"ca": self.request.GET.get("ca")}

    def perform(self, data):
        return services.create_identity(
            data["name"],
            read_upload(data["file"], MAX_P12_BYTES),
            data["password"],
            ca=data.get("ca"),
            **self.actor(),
        )


class IdentityReplaceView(TrustFormView):
    form_class = forms.ReplaceIdentityForm
    title = "Replace a client identity"
    submit_label = "Replace"
    intro = "Upload the renewed PKCS#12; Fusion Sets that use this identity get the new one."

    def get_object(self):
        return get_object_or_404(ClientIdentity.objects.all(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.get_object()
        return context

    def perform(self, data):
        return services.replace_identity(
            self.get_object(),
            read_upload(data["file"], MAX_P12_BYTES),
            data["password"],
            **self.actor(),
        )


class IdentityIssueView(TrustFormView):
    form_class = forms.IssueIdentityForm
    title = "Issue a client identity"
    submit_label = "Issue identity"
    intro = (
        "Fusebox generates the private key here and signs a clientAuth certificate with this "
        "CA's key. The key never leaves Fusebox unencrypted."
    )

    def get_object(self):
        return get_object_or_404(CACertificate.objects.all(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.get_object()
        return context

    def perform(self, data):
        return services.issue_identity(
            self.get_object(),
            data.get("name") or "",
            data["common_name"],
            data["validity_days"],
            data["key_choice"],
            **self.actor(),
        )


class KeystoreCreateView(TrustFormView):
    form_class = forms.SigningKeystoreForm
    title = "Add a signing keystore"
    intro = "The keystore Fusebox signs fused apps with. Stored encrypted with its passwords."

    def perform(self, data):
        return services.create_keystore(
            data["name"],
            read_upload(data["file"], MAX_P12_BYTES),
            data["alias"],
            data["store_password"],
            data.get("key_password") or "",
            **self.actor(),
        )


class FingerprintCreateView(TrustFormView):
    form_class = forms.SigningFingerprintForm
    title = "Add a private signing fingerprint"
    submit_label = "Save"
    intro = "For apps you sign yourself after fusing: the SHA-256 of your signing certificate."

    def perform(self, data):
        return services.create_fingerprint(
            data["name"], data["sha256"], data.get("play_signing_sha256") or "", **self.actor()
        )


class MaterialDetailView(TenantViewMixin, DetailView):
    required_permission = "trust.view"
    template_name = "trust/detail.html"
    kind = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind"] = self.kind
        context["used_by"] = usage_of(self.object)
        if hasattr(self.object, "certificate_pem"):
            context["chain"] = _chain_facts(self.object)
        return context


def _chain_facts(item) -> list:
    from trust.certificates import facts_of

    return [facts_of(certificate) for certificate in item.certificates()[1:]]


class CADetailView(MaterialDetailView):
    model = CACertificate
    kind = "CA certificate"


class IdentityDetailView(MaterialDetailView):
    model = ClientIdentity
    kind = "Client identity"


class KeystoreDetailView(MaterialDetailView):
    model = SigningKeystore
    kind = "Signing keystore"


class FingerprintDetailView(MaterialDetailView):
    model = SigningFingerprint
    kind = "Private signing fingerprint"
    template_name = "trust/fingerprint_detail.html"


class MaterialDeleteView(TenantViewMixin, View):
    """POST only; refused (with the users named) while something uses the item."""

    required_permission = "trust.manage"
    model = None

    def post(self, request, pk):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.delete_material(item, actor=request.user, request=request)
        except TrustError as error:
            messages.error(request, error.message)
            return redirect(item_url(item))
        messages.success(request, f"“{item.name}” deleted.")
        return redirect("trust")
