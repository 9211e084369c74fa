"""What a build puts on a real Redis broker holds ids only: no password, key or keystore."""

import base64
import json
import uuid

import pytest
import redis
from cryptography.hazmat.primitives import serialization
from kombu import Connection

from tests.builds import material
from tests.builds.test_pipeline import start
from tests.support.android import requires_android_tools
from workers.pipeline import run_step

pytestmark = [requires_android_tools, pytest.mark.django_db]

HYGIENE_REDIS = "redis://127.0.0.1:6379/11"


@pytest.fixture
def broker_queue(monkeypatch):
    """Send the pipeline's real task messages to a private queue on a real Redis."""
    client = redis.Redis.from_url(HYGIENE_REDIS)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (the CI script starts one)")

    queue = f"hygiene-{uuid.uuid4().hex}"
    connection = Connection(HYGIENE_REDIS)
    original = run_step.apply_async
    monkeypatch.setattr(
        run_step,
        "apply_async",
        lambda *args, **kwargs: original(*args, connection=connection, queue=queue, **kwargs),
    )
    yield client, queue
    client.delete(queue)
    connection.release()


def _secret_forms(test_pki) -> dict[str, bytes]:
    key_der = test_pki.client_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    forms = {
        "identity password": material.IDENTITY_PASSWORD.encode(),
        "keystore password": test_pki.keystore.password.encode(),
        "private key (DER)": key_der[-64:],
        "private key (base64)": base64.b64encode(key_der)[-64:],
        "private key (hex)": key_der[-32:].hex().encode(),
        "keystore (base64)": base64.b64encode(test_pki.keystore_bytes)[100:160],
        "identity p12 (base64)": base64.b64encode(test_pki.identity_p12)[100:160],
    }
    return forms


def _decoded_body(message: bytes) -> bytes:
    """Kombu stores the task body base64-encoded inside its JSON envelope: look inside."""
    envelope = json.loads(message)
    body = envelope["body"]
    if envelope["properties"].get("body_encoding") == "base64":
        return base64.b64decode(body)
    return body.encode()


def test_a_builds_broker_messages_carry_no_secret(
    cast, apps, fusion_set_a, test_pki, broker_queue, django_capture_on_commit_callbacks
):
    client, queue = broker_queue
    app = apps.upload(cast.a)

    with django_capture_on_commit_callbacks(execute=True):
        build = start(cast.a, app, fusion_set_a)
    with django_capture_on_commit_callbacks(execute=True):
        build = material.drive(build)

    messages = client.lrange(queue, 0, -1)
    assert build.status == "succeeded", build.reason_message
    assert len(messages) >= 4, "every step should have been queued on the broker"
    bodies = [_decoded_body(message) for message in messages]
    assert all(str(build.pk).encode() in body for body in bodies)
    raw = b"\n".join(messages + bodies)
    for name, secret in _secret_forms(test_pki).items():
        assert secret not in raw, f"{name} found in a broker message"
