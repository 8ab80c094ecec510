"""Revocation for the signing tests: a loopback HTTP server that publishes a CRL at a
certificate's distribution point, and a PDF's DSS carrying that CRL (a plain module)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

from asn1crypto import crl as asn1_crl
from pyhanko.sign.validation.dss import DocumentSecurityStore


class CrlServer:
    """Serves ``crl`` (DER) at ``/intermediate.crl`` on 127.0.0.1 while in a ``with``."""

    def __init__(self, crl: bytes = b"") -> None:
        self.crl = crl
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("content-type", "application/pkix-crl")
                self.send_header("content-length", str(len(server.crl)))
                self.end_headers()
                self.wfile.write(server.crl)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/intermediate.crl"

    def __enter__(self) -> CrlServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (revocation status cannot be fetched)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_port
    server.server_close()
    return f"http://127.0.0.1:{port}/intermediate.crl"


def with_dss_crl(pdf: bytes, crl: bytes) -> bytes:
    """``pdf`` with an incremental update whose DSS holds ``crl``."""
    out = BytesIO(pdf)
    DocumentSecurityStore.add_dss(out, None, crls=[asn1_crl.CertificateList.load(crl)])
    return out.getvalue()
