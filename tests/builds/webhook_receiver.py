"""A local webhook receiver, over HTTP or HTTPS, that records what it is sent."""

import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class Receiver:
    """A local server that records POSTs and answers the statuses it is told to."""

    def __init__(self, statuses=(), *, tls: ssl.SSLContext | None = None, host="127.0.0.1"):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                answer = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(answer)
                if 300 <= answer < 400:
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://{host}:{self.server.server_port}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
