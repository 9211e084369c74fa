"""Report rows for isolation tests: a certified build with small stored placeholder files.

The files are not signed reports (the pages answer "not valid" for them); tests of the
signatures issue real reports through the pipeline instead.
"""

import hashlib
import uuid

from django.core.files.base import ContentFile

from builds import storage
from certified.models import CertifiedReport
from console.tenancy import unscoped_access
from tests.builds.factories import BuildFactory

PLACEHOLDER_PDF = b"%PDF-1.7\n% placeholder, not a signed report\n%%EOF\n"
PLACEHOLDER_JSON = b'{"placeholder": true}'


def certified_build(organization, label: str = ""):
    """A succeeded build with a report row whose PDF and JSON exist in the build storage."""
    build = BuildFactory(organization=organization, status="succeeded")
    report_id = f"FBR-{label or organization.slug}-{uuid.uuid4().hex[:8]}".upper()
    files = storage.build_storage()
    names = {}
    for extension, data in (("pdf", PLACEHOLDER_PDF), ("json", PLACEHOLDER_JSON)):
        name = f"orgs/{organization.pk}/reports/{build.pk}/{report_id}.{extension}"
        if files.exists(name):
            files.delete(name)
        files.save(name, ContentFile(data))
        names[extension] = name
    with unscoped_access():
        return _create(organization, build, report_id, names)


def _create(organization, build, report_id, names):
    return CertifiedReport.unscoped.create(
        organization=organization,
        build=build,
        report_id=report_id,
        pdf_name=names["pdf"],
        json_name=names["json"],
        jws="e30..c2ln",
        pdf_sha256=hashlib.sha256(PLACEHOLDER_PDF).hexdigest(),
        json_sha256=hashlib.sha256(PLACEHOLDER_JSON).hexdigest(),
        output_sha256=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        package=build.app.package,
        version_name="1.0",
        app_name=f"marker-report-{organization.slug}",
        fusion_set_name="set",
        signer_sha256="ab" * 32,
    )
