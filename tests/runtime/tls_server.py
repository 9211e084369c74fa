"""A Python ``ssl`` TLS server on 127.0.0.1 that records what each client presented.

Python's ssl module cannot set the certificate_authorities list a server sends in its
CertificateRequest, which is what a client's X509KeyManager matches its certificate
against. It is set here through OpenSSL's SSL_CTX_set_client_CA_list on the context's
SSL_CTX, so the server asks the way a production mTLS gateway does.
"""

import ctypes
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Handshake:
    subject: str | None = None
    error: str | None = None
    version: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)


@dataclass
class TlsServer:
    cert: Path
    key: Path
    client_ca: Path | None = None
    maximum_version: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED
    handshakes: list[Handshake] = field(default_factory=list)

    def __post_init__(self):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.maximum_version = self.maximum_version
        self.context.load_cert_chain(self.cert, self.key)
        if self.client_ca is not None:
            self.context.verify_mode = ssl.CERT_REQUIRED
            self.context.load_verify_locations(self.client_ca)
            _advertise_client_cas(self.context, self.client_ca)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()

    def _serve(self):
        while not self._stop.is_set():
            try:
                raw, _ = self.listener.accept()
            except TimeoutError:
                continue
            self._handle(raw)

    def _handle(self, raw: socket.socket) -> None:
        record = Handshake()
        self.handshakes.append(record)
        raw.settimeout(30)
        try:
            with self.context.wrap_socket(raw, server_side=True) as tls:
                peer = tls.getpeercert()
                subject = _common_name(peer) if peer else None
                record.subject = subject
                record.version = tls.version()
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    request += chunk
                body = f"subject={subject}\n".encode()
                tls.sendall(
                    b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
        except (ssl.SSLError, OSError) as error:
            record.error = str(error)
        finally:
            raw.close()
            record.finished.set()

    def completed_since(self, mark: int, timeout: float = 30.0) -> list[Handshake]:
        """Handshakes after the first ``mark`` ones, once the server is done with each."""
        records = self.handshakes[mark:]
        for record in records:
            record.finished.wait(timeout)
        return records


def _common_name(peer: dict) -> str | None:
    for rdn in peer.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


def _advertise_client_cas(context: ssl.SSLContext, ca_file: Path) -> None:
    libssl = ctypes.CDLL(ssl._ssl.__file__)
    libssl.SSL_load_client_CA_file.restype = ctypes.c_void_p
    libssl.SSL_load_client_CA_file.argtypes = [ctypes.c_char_p]
    libssl.SSL_CTX_set_client_CA_list.restype = None
    libssl.SSL_CTX_set_client_CA_list.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    libssl.SSL_CTX_get_verify_mode.restype = ctypes.c_int
    libssl.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]

    # PySSLContext starts with PyObject_HEAD then the SSL_CTX pointer.
    ssl_ctx = ctypes.c_void_p.from_address(id(context) + object.__basicsize__).value
    if libssl.SSL_CTX_get_verify_mode(ssl_ctx) != 3:  # PEER | FAIL_IF_NO_PEER_CERT
        raise RuntimeError("could not locate the SSL_CTX of the Python ssl context")
    names = libssl.SSL_load_client_CA_file(str(ca_file).encode())
    if not names:
        raise RuntimeError(f"OpenSSL could not read {ca_file}")
    libssl.SSL_CTX_set_client_CA_list(ssl_ctx, names)
