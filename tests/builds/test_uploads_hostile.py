"""Every corpus file through the upload endpoint: hostile and malformed ones answered 4xx
with their code, real apps accepted, never a server error."""

import csv
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.android import CORPUS_DIR, corpus_file

pytestmark = [pytest.mark.django_db]

SOURCES = CORPUS_DIR.parent / "SOURCES.tsv"
REFUSED_KINDS = ("hostile-", "malformed-", "aab")


def corpus():
    if not SOURCES.is_file():
        return []
    with SOURCES.open() as handle:
        return [(row["filename"], row["kind"]) for row in csv.DictReader(handle, delimiter="\t")]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "kind"), corpus() or [pytest.param("", "", marks=pytest.mark.skip)]
)
def test_the_upload_endpoint_answers_every_corpus_file_without_a_server_error(
    cast, api_for, name, kind
):
    path = corpus_file(name)
    response = api_for(cast.a).post(
        "/api/v1/upload",
        {"file": SimpleUploadedFile(Path(path).name, path.read_bytes())},
        format="multipart",
    )

    assert response.status_code < 500, response.content[:300]
    if kind.startswith(REFUSED_KINDS):
        assert response.status_code == 422, (name, response.status_code)
        body = response.json()
        assert body["code"] and body["detail"], body
    if response.status_code == 422:
        assert set(response.json()) == {"code", "detail"}
