"""The runtime's bytecode on the JVM against real TLS servers.

The patched runtime DEX is translated by enjarify and started as Android would start it
(the framework attaches InitProvider with the app's context); stubs stand in for the
android.* classes. The servers are Python ssl servers on 127.0.0.1.
"""

import hashlib
import ssl

import pytest

from tests.runtime.conftest import PACKAGE
from tests.runtime.jvm import run_driver, translate
from tests.runtime.tls_server import TlsServer
from workers.engine import threat_events
from workers.engine.runtime.dex_patch import committed_runtime_dex

pytestmark = [pytest.mark.jvm, pytest.mark.slow, pytest.mark.xdist_group("runtime-jvm")]

TLS12 = ssl.TLSVersion.TLSv1_2
ALL_PERMISSIONS = (
    "android.permission.ACCESS_FINE_LOCATION",
    "android.permission.ACCESS_WIFI_STATE",
)


@pytest.fixture(scope="module")
def servers(test_pki):
    """Mutual-TLS servers asking for the client CA or another CA, and one that does not ask."""
    cert, key = test_pki.server.cert_path, test_pki.server.key_path
    with (
        TlsServer(cert, key, test_pki.client_ca.cert_path) as client_ca_server,
        TlsServer(cert, key, test_pki.other_ca.cert_path) as other_ca_server,
        TlsServer(cert, key) as no_client_auth_server,
        TlsServer(
            test_pki.untrusted_server.cert_path,
            test_pki.untrusted_server.key_path,
            test_pki.client_ca.cert_path,
        ) as untrusted_server,
        TlsServer(cert, key, test_pki.client_ca.cert_path, TLS12) as client_ca_tls12_server,
        TlsServer(cert, key, test_pki.other_ca.cert_path, TLS12) as other_ca_tls12_server,
    ):
        yield {
            "client_ca": client_ca_server,
            "other_ca": other_ca_server,
            "no_client_auth": no_client_auth_server,
            "untrusted": untrusted_server,
            "client_ca_tls12": client_ca_tls12_server,
            "other_ca_tls12": other_ca_tls12_server,
        }


def own_context(server, test_pki, host="localhost") -> str:
    return f"own:{host}:{server.port}:{test_pki.server_ca.cert_path}"


def https(server, host="localhost") -> str:
    return f"https:https://{host}:{server.port}/"


@pytest.fixture(scope="module")
def installed(runtime_jar, jvm_stubs, sealed_assets, signer_files, trust_store, servers, test_pki):
    """One app start with the right signer, then connections of every kind."""
    marks = {name: len(server.handshakes) for name, server in servers.items()}
    run = run_driver(
        jvm_stubs,
        runtime_jar("defend"),
        sealed_assets["default"],
        signer_files["app"],
        PACKAGE,
        [
            https(servers["client_ca"]),
            own_context(servers["client_ca"], test_pki),
            own_context(servers["other_ca"], test_pki),
            https(servers["no_client_auth"]),
            own_context(servers["client_ca"], test_pki).replace("own:", "own-no-keys:", 1),
            f"default-factory:localhost:{servers['client_ca'].port}",
            own_context(servers["client_ca_tls12"], test_pki),
            own_context(servers["other_ca_tls12"], test_pki),
        ],
        trust_store=trust_store,
    )
    new = {name: server.completed_since(marks[name]) for name, server in servers.items()}
    return run, new


def test_https_url_connection_presents_the_identity(installed):
    run, handshakes = installed

    assert run.results[0]["ok"], run.results[0]
    assert run.results[0]["body"] == "subject=fusebox-client-01\n"
    assert handshakes["client_ca"][0].subject == "fusebox-client-01"


def test_a_client_building_its_own_ssl_context_presents_the_identity(installed):
    run, handshakes = installed

    assert run.results[1]["ok"], run.results[1]
    assert run.results[1]["body"] == "subject=fusebox-client-01\nprovider=FuseboxPreAuth"
    assert handshakes["client_ca"][1].subject == "fusebox-client-01"


def test_a_server_asking_for_another_ca_gets_no_certificate(installed):
    run, handshakes = installed

    assert not run.results[2]["ok"]
    assert handshakes["other_ca"][0].subject is None
    assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in handshakes["other_ca"][0].error


def test_a_server_that_does_not_ask_for_a_certificate_is_unaffected(installed):
    run, handshakes = installed

    assert run.results[3]["ok"], run.results[3]
    assert run.results[3]["body"] == "subject=None\n"
    assert handshakes["no_client_auth"][0].error is None


def test_the_default_ssl_socket_factory_presents_the_identity(installed):
    run, handshakes = installed

    assert run.results[5]["ok"], run.results[5]
    assert run.results[5]["body"] == "subject=fusebox-client-01\n"
    assert handshakes["client_ca"][3].subject == "fusebox-client-01"


def test_over_tls_1_2_the_identity_goes_only_to_a_server_asking_for_its_ca(installed):
    run, handshakes = installed

    assert handshakes["client_ca"][0].version == "TLSv1.3"
    assert run.results[6]["ok"], run.results[6]
    assert handshakes["client_ca_tls12"][0].version == "TLSv1.2"
    assert handshakes["client_ca_tls12"][0].subject == "fusebox-client-01"
    assert not run.results[7]["ok"]
    assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in handshakes["other_ca_tls12"][0].error


def test_key_managers_the_app_passes_itself_are_kept(installed):
    run, handshakes = installed

    assert not run.results[4]["ok"]
    assert handshakes["client_ca"][2].subject is None
    assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in handshakes["client_ca"][2].error


def test_the_provider_is_first_and_serves_the_default_context(installed):
    run, _ = installed

    assert run.providers[0] == "FuseboxPreAuth"
    assert run.default_provider == "FuseboxPreAuth"
    assert sorted(run.pre_auth_services) == [
        f"SSLContext.{protocol}=FuseboxPreAuth"
        for protocol in ("Default", "SSL", "TLS", "TLSv1.2", "TLSv1.3")
    ]
    assert "identity installed" in run.log


def test_no_threat_event_and_no_defense_when_the_identity_loads(installed):
    run, _ = installed

    assert run.broadcasts == []
    assert run.toasts == []
    assert run.killed == 0


@pytest.mark.parametrize(
    ("identity", "sdk", "subject"),
    [
        ("legacy", 33, "fusebox-client-01"),
        ("default", 27, "fusebox-client-01"),
        ("ec", 33, "fusebox-client-ec"),
    ],
    ids=["openssl-legacy-p12", "pre-api-28-signatures", "ec-key"],
)
def test_the_identity_is_presented_for_each_supported_input(
    runtime_jar, jvm_stubs, sealed_assets, signer_files, servers, test_pki, identity, sdk, subject
):
    run = run_driver(
        jvm_stubs,
        runtime_jar("detect"),
        sealed_assets[identity],
        signer_files["app"],
        PACKAGE,
        [own_context(servers["client_ca"], test_pki)],
        sdk=sdk,
    )

    assert run.results[0]["ok"], (run.results[0], run.log)
    assert run.results[0]["body"].startswith(f"subject={subject}\n")
    assert run.broadcasts == []


def resigned_run(
    runtime_jar, jvm_stubs, sealed_assets, signer_files, servers, test_pki, mode, permissions=()
):
    return run_driver(
        jvm_stubs,
        runtime_jar(mode),
        sealed_assets["default"],
        signer_files["attacker"],
        PACKAGE,
        [own_context(servers["client_ca"], test_pki)],
        permissions=permissions,
    )


def test_a_resigned_app_cannot_decrypt_and_broadcasts_then_defends(
    runtime_jar, jvm_stubs, sealed_assets, signer_files, servers, test_pki
):
    run = resigned_run(
        runtime_jar, jvm_stubs, sealed_assets, signer_files, servers, test_pki, "defend"
    )

    assert not run.results[0]["ok"]
    assert run.broadcasts_during_startup == 0
    assert len(run.broadcasts) == 1
    event = run.broadcasts[0]
    assert event["action"] == threat_events.EVENT_NAME
    assert event["package"] == PACKAGE
    extras = event["extras"]
    assert set(extras) == threat_events.always_present_keys()
    assert all(isinstance(value, str) for value in extras.values())
    assert extras["reasonCode"] == "IdentitySignerMismatch"
    assert (
        extras["reasonData"] == hashlib.sha256(signer_files["attacker"].read_bytes()).hexdigest()
    )
    assert extras["message"] == "Protected app (defend): identity check failed."
    assert extras["currentThreatEventScore"] == "40"
    assert extras["threatEventsScore"] == "40"
    assert extras["failSafeEnforce"] == "true"
    assert extras["externalID"] == "ext-42"
    assert extras["fusedAppToken"] == "token-123"
    assert extras["buildDate"] == "2026-12-03T16:00:00Z"
    assert extras["buildUser"] == "ci@example.com"
    assert extras["buildHost"] == "fusebox.example.com"
    assert extras["deviceModel"] == "Stub Model"
    assert extras["sdkVersion"] == "33"
    assert extras["updatedOSVersion"] == "2026-11-05"
    assert extras["deviceID"] == "9774d56d682e549c"
    assert extras["carrierPlmn"] == "00101"
    assert extras["devicePlatform"] == "Android"
    assert run.toasts == ["Protected app (defend): identity check failed."]
    assert run.killed == 1
    assert run.delays == [7000]


def test_detect_mode_broadcasts_gated_extras_the_app_may_read_and_does_not_defend(
    runtime_jar, jvm_stubs, sealed_assets, signer_files, servers, test_pki
):
    run = resigned_run(
        runtime_jar,
        jvm_stubs,
        sealed_assets,
        signer_files,
        servers,
        test_pki,
        "detect",
        permissions=ALL_PERMISSIONS,
    )

    extras = run.broadcasts[0]["extras"]
    assert (
        set(extras) == threat_events.always_present_keys() | threat_events.permission_gated_keys()
    )
    assert extras["failSafeEnforce"] == "false"
    assert extras["locationLat"] == "52.5"
    assert extras["locationState"] == "available"
    assert extras["wifiSsid"] == '"fixture-wifi"'
    assert extras["wifiSsidPermissionStatus"] == "granted"
    assert run.toasts == []
    assert run.killed == 0


def test_off_mode_defends_in_app_without_a_broadcast(
    runtime_jar, jvm_stubs, sealed_assets, signer_files, servers, test_pki
):
    run = resigned_run(
        runtime_jar, jvm_stubs, sealed_assets, signer_files, servers, test_pki, "off"
    )

    assert run.broadcasts == []
    assert run.toasts == ["Protected app (off): identity check failed."]
    assert run.killed == 1


@pytest.mark.parametrize(
    ("assets", "reason"),
    [
        ("tampered", "IdentityTampered"),
        ("expired", "IdentityExpired"),
        ("future", "IdentityNotYetValid"),
    ],
)
def test_an_identity_that_cannot_be_used_raises_its_reason(
    runtime_jar, jvm_stubs, sealed_assets, signer_files, assets, reason
):
    run = run_driver(
        jvm_stubs, runtime_jar("detect"), sealed_assets[assets], signer_files["app"], PACKAGE, []
    )

    assert [b["extras"]["reasonCode"] for b in run.broadcasts] == [reason]


def test_a_missing_identity_asset_raises_identity_missing(
    runtime_jar, jvm_stubs, signer_files, runtime_dir
):
    empty = runtime_dir / "assets-empty"
    empty.mkdir(exist_ok=True)

    run = run_driver(jvm_stubs, runtime_jar("detect"), empty, signer_files["app"], PACKAGE, [])

    assert run.broadcasts[0]["extras"]["reasonCode"] == "IdentityMissing"
    assert run.broadcasts[0]["extras"]["reasonData"] == "fusebox/identity.bin"


def test_a_pinned_host_that_fails_trust_raises_the_event_and_other_hosts_do_not(
    runtime_jar, jvm_stubs, sealed_assets, signer_files, servers, trust_store
):
    untrusted = servers["untrusted"]

    run = run_driver(
        jvm_stubs,
        runtime_jar("detect"),
        sealed_assets["default"],
        signer_files["app"],
        PACKAGE,
        [https(untrusted, host="127.0.0.1"), https(untrusted, host="localhost")],
        trust_store=trust_store,
    )

    assert not run.results[0]["ok"]
    assert not run.results[1]["ok"]
    assert "SSLHandshakeException" in run.results[1]["error"]
    assert [b["extras"]["reasonCode"] for b in run.broadcasts] == ["PinnedHostTrustFailure"]
    assert run.broadcasts[0]["extras"]["reasonData"] == "localhost"


def test_an_unpatched_runtime_installs_nothing_and_raises_nothing(
    jvm_stubs, sealed_assets, signer_files, runtime_dir
):
    jar = translate(committed_runtime_dex(), runtime_dir / "jar-unpatched")

    run = run_driver(jvm_stubs, jar, sealed_assets["default"], signer_files["app"], PACKAGE, [])

    assert "FuseboxPreAuth" not in run.providers
    assert run.broadcasts == []
    assert run.toasts == []
    assert "runtime has no build values" in run.log
