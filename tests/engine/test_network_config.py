"""Pinned hosts become a network security configuration Android will enforce."""

import base64
import subprocess

import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.axml_fixtures import make_ca_pem
from workers.engine import axml
from workers.engine.axml import Document, Element
from workers.engine.errors import EngineError
from workers.engine.network_config import (
    CA_FILE_PATH,
    build_network_security_config,
    link_server_ca,
    spki_pin,
    validate_pin_host,
)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("api.example.com", "api.example.com"),
        ("API.Example.COM.", "api.example.com"),
        ("*.example.com", "*.example.com"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("10.0.2.2", "10.0.2.2"),
        ("localhost", "localhost"),
    ],
)
def test_it_accepts_host_names_android_can_match(given, normalised):
    assert validate_pin_host(given) == normalised


@pytest.mark.parametrize(
    "given",
    [
        "",
        "*",
        "*.com",
        "api.*.example.com",
        "*example.com",
        "https://api.example.com",
        "api.example.com:443",
        "api.example.com/path",
        "-bad.example.com",
        "bad-.example.com",
        "a..b",
        "bücher.example",
        "x" * 64 + ".example.com",
        "*.10.0.0.1",
        "2001:db8::1",
        "api.example.123",
        None,
    ],
)
def test_it_refuses_hosts_android_cannot_match(given):
    with pytest.raises(EngineError) as raised:
        validate_pin_host(given)

    assert raised.value.code == "pin_host_invalid"
    assert repr(given)[:40] in raised.value.message


def _domains(document: Document) -> dict[str, bool]:
    ours = document.root.children[-1]
    return {d.text: d.get("includeSubdomains", None) for d in ours.find_all("domain")}


def test_a_wildcard_becomes_the_domain_with_its_subdomains():
    document, files = build_network_security_config(
        ["*.example.com", "example.com", "api.example.org"], None, None
    )

    assert _domains(document) == {"example.com": True, "api.example.org": False}
    assert document.root.children[-1].get("cleartextTrafficPermitted", None) is False
    assert files == {}
    assert document.find("domain-config/pin-set") is None


def test_the_server_ca_becomes_the_trust_anchor_and_the_pin(tmp_path):
    pem = make_ca_pem("Pinned Server CA", "rsa")
    document, files = build_network_security_config(["api.example.com"], [pem], None)
    link_server_ca(document, 0x7F0B0000)

    certificates = document.find("domain-config/trust-anchors/certificates")
    assert certificates.attribute("src", None).data == 0x7F0B0000
    assert certificates.get("overridePins", None) is False
    pins = document.find_all("domain-config/pin-set/pin")
    assert [pin.get("digest", None) for pin in pins] == ["SHA-256"]
    assert x509.load_pem_x509_certificates(files[CA_FILE_PATH])[0] == (
        x509.load_pem_x509_certificate(pem)
    )

    # The digest must match what openssl computes over the certificate's public key.
    (tmp_path / "ca.pem").write_bytes(pem)
    public_key = subprocess.run(
        ["openssl", "x509", "-in", str(tmp_path / "ca.pem"), "-pubkey", "-noout"],
        capture_output=True,
        check=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "DER"],
        input=public_key,
        capture_output=True,
        check=True,
    ).stdout
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-binary"], input=der, capture_output=True, check=True
    ).stdout
    assert pins[0].text == base64.b64encode(digest).decode()


def test_every_server_ca_in_the_bundle_gets_a_pin():
    first, second = make_ca_pem("CA One"), make_ca_pem("CA Two")

    document, files = build_network_security_config(["a.example.com"], [first + second], None)

    pins = [pin.text for pin in document.find_all("domain-config/pin-set/pin")]
    certificates = x509.load_pem_x509_certificates(files[CA_FILE_PATH])
    assert pins == [spki_pin(certificate) for certificate in certificates]
    assert len(pins) == 2


def test_a_server_ca_that_is_not_a_certificate_is_refused():
    with pytest.raises(EngineError) as raised:
        build_network_security_config(["a.example.com"], [b"not a pem"], None)

    assert raised.value.code == "server_ca_invalid"


def _existing() -> Document:
    def domain(name, subdomains):
        flag = axml.Attribute(None, "includeSubdomains", None, axml.TYPE_BOOLEAN, 0, "false")
        flag.data = 0xFFFFFFFF if subdomains else 0
        return Element("domain", attributes=[flag], text=name)

    nested = Element("domain-config", children=[domain("deep.example.com", False)])
    only_pinned = Element("domain-config", children=[domain("api.example.com", True), nested])
    mixed = Element(
        "domain-config",
        children=[domain("static.example.com", False), domain("EXAMPLE.org", False)],
    )
    root = Element(
        "network-security-config",
        children=[Element("base-config"), only_pinned, mixed, Element("debug-overrides")],
    )
    return axml.parse(axml.serialize(Document(root=root)))


def test_merging_keeps_the_app_s_settings_and_moves_pinned_hosts_to_ours():
    existing = _existing()

    document, _ = build_network_security_config(["api.example.com", "example.org"], None, existing)

    names = [child.name for child in document.root.children]
    assert names == [
        "base-config",
        "domain-config",
        "domain-config",
        "debug-overrides",
        "domain-config",
    ]
    hoisted, mixed = document.root.children[1], document.root.children[2]
    assert [d.text for d in hoisted.find_all("domain")] == ["deep.example.com"]
    assert [d.text for d in mixed.find_all("domain")] == ["static.example.com"]
    assert _domains(document) == {"api.example.com": False, "example.org": False}
    all_domains = [d.text.lower() for d in document.root.iter("domain")]
    assert len(all_domains) == len(set(all_domains)), "Android refuses a domain twice"
    assert existing.root.children[1].find("domain").text == "api.example.com"


def test_merging_twice_gives_the_same_configuration():
    once, _ = build_network_security_config(["api.example.com"], None, _existing())
    twice, _ = build_network_security_config(["api.example.com"], None, once)

    assert axml.serialize(twice) == axml.serialize(once)


def test_a_configuration_with_another_root_is_refused():
    other = Document(root=Element("resources"))

    with pytest.raises(EngineError) as raised:
        build_network_security_config(["a.example.com"], None, other)

    assert raised.value.code == "network_config_invalid"


@pytest.mark.parametrize("permitted", [True, False])
def test_a_new_configuration_keeps_the_app_s_cleartext_setting(permitted):
    document, _ = build_network_security_config(
        ["a.example.com"], None, None, app_cleartext_permitted=permitted
    )

    base = document.find("base-config")
    assert base.get("cleartextTrafficPermitted", None) is permitted
    assert document.find("domain-config").get("cleartextTrafficPermitted", None) is False


def test_a_new_configuration_without_an_app_setting_has_no_base_config():
    document, _ = build_network_security_config(["a.example.com"], None, None)

    assert document.find("base-config") is None


def test_androguard_reads_the_written_configuration_as_android_would():
    from androguard.core.axml import AXMLPrinter
    from loguru import logger
    from lxml import etree

    logger.remove()
    pem = make_ca_pem("Independent Reader CA")
    document, _ = build_network_security_config(["api.example.com", "*.x.org"], [pem], None)
    link_server_ca(document, 0x7F0B0000)

    printer = AXMLPrinter(axml.serialize(document))
    tree = etree.fromstring(printer.get_xml())

    assert printer.is_valid()
    config = tree.find("domain-config")
    assert config.get("cleartextTrafficPermitted") == "false"
    assert [(d.text, d.get("includeSubdomains")) for d in config.findall("domain")] == [
        ("api.example.com", "false"),
        ("x.org", "true"),
    ]
    assert config.find("trust-anchors/certificates").get("src") == "@7F0B0000"
    pin = config.find("pin-set/pin")
    assert (pin.get("digest"), pin.text) == (
        "SHA-256",
        spki_pin(x509.load_pem_x509_certificate(pem)),
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_host_text_is_normalised_once_or_refused_with_its_code(value):
    try:
        host = validate_pin_host(value)
    except EngineError as error:
        assert error.code == "pin_host_invalid"
        return

    assert validate_pin_host(host) == host
    assert host == host.lower().strip()
