"""Hand a build's output (or its auto-dev signing script) to a member allowed to have it."""

import logging

from django.http import FileResponse, Http404

from builds import signscript, storage
from builds.models import Build
from console.audit import record_event

logger = logging.getLogger(__name__)

OUTPUT = "app"
SIGN_SCRIPT = "sign_script"
APK_TYPE = "application/vnd.android.package-archive"
SCRIPT_TYPE = "text/x-shellscript"


def output_response(build: Build, kind: str, *, actor=None, request=None) -> FileResponse:
    """A streamed attachment of the fused app or the script; 404 when there is none."""
    if build.status != Build.SUCCEEDED:
        raise Http404("the build has no output yet")
    if kind == SIGN_SCRIPT:
        name, filename, content_type = build.script_name, "sign.sh", SCRIPT_TYPE
    else:
        name = build.output_name
        filename = signscript.download_name(build)
        content_type = APK_TYPE
    if not name or not storage.exists(name):
        raise Http404("this build has no such output")

    # A client asking only for the headers (size, type, digest) has downloaded nothing.
    if request is None or request.method != "HEAD":
        record_event(
            build.organization_id,
            "output.downloaded",
            actor=actor,
            request=request,
            target=build,
            changes={"kind": kind, "sha256": build.output_sha256},
        )
    response = FileResponse(
        storage.open_file(name), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-SHA256"] = build.output_sha256 if kind == OUTPUT else ""
    return response
