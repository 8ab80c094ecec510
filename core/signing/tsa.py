"""RFC 3161 time stamping: a client by URL and a small loopback TSA server for tests and dev.

``TsaClient`` posts ``application/timestamp-query`` requests synchronously (stdlib HTTP, no
event loop), checks status, nonce and message imprint, and returns the token DER. It is also
a pyHanko ``TimeStamper``, so pyHanko's own signer and validator can use it.

``TsaServer`` answers on 127.0.0.1 only, signing TSTInfo with the TSA key of the dev PKI
(EKU timeStamping). The key is parsed once and the CMS template built once, so a token costs
one RSA signature. It is a development tool, not a qualified TSA.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import http.client
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from .cms import CmsTemplate, tlv
from .devpki import DevPki, load_asn1_certificate, load_private_key

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# Policy OID under the UUID arc 2.25 (no registration needed): "Concejo development TSA".
DEV_TSA_POLICY = "2.25.238206524595424417364917003591012262233"
_MAX_REQUEST = 64 * 1024


class _StatusOnlyResp(core.Sequence):
    """TimeStampResp with the token OPTIONAL as in RFC 3161 (asn1crypto requires it)."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class TsaClient(TimeStamper):
    """RFC 3161 client for a TSA reachable by HTTP(S) URL (SHA-256 imprints)."""

    def __init__(self, url: str, *, timeout: float = 10.0, headers: dict[str, str] | None = None):
        super().__init__(include_nonce=True)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an HTTP(S) TSA URL: {url!r}")
        self.url = url
        self.timeout = timeout
        self.headers = {**(headers or {}), "Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE}
        self._parts = parts
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._local = threading.local()
        self.largest_token = 0  # bytes; lets the signer size its placeholder from experience

    def _connection(self, fresh: bool) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and fresh:
            conn.close()
            conn = None
        if conn is None:
            parts = self._parts
            conn_class = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = self._local.conn = conn_class(parts.hostname, parts.port, timeout=self.timeout)
        return conn

    def close(self) -> None:
        """Close this thread's keep-alive connection (others close when garbage-collected)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _post(self, body: bytes) -> tuple[int, str | None, bytes]:
        # keep-alive connection per thread; if the server closed it meanwhile, reopen once
        for fresh in (False, True):
            conn = self._connection(fresh)
            try:
                conn.request("POST", self._path, body=body, headers=self.headers)
                resp = conn.getresponse()
                return resp.status, resp.getheader("Content-Type"), resp.read()
            except ConnectionError:
                if fresh:
                    raise
        raise AssertionError("unreachable")

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """POST one request and parse the response (synchronous)."""
        try:
            status_code, content_type, body = self._post(req.dump())
        except OSError as exc:
            self._local.conn = None
            raise TimestampRequestError(f"TSA {self.url} unreachable: {exc}") from exc
        if status_code != 200 or content_type != REPLY_TYPE:
            raise TimestampRequestError(f"TSA {self.url} answered HTTP {status_code}")
        try:
            status = _StatusOnlyResp.load(body)["status"]
            granted = status["status"].native in ("granted", "granted_with_mods")
        except ValueError as exc:
            raise TimestampRequestError(f"TSA {self.url} sent a malformed reply") from exc
        if not granted:
            reasons = ", ".join(sorted(status["fail_info"].native or ())) or "no reason given"
            raise TimestampRequestError(f"TSA {self.url} refused the request: {reasons}")
        return tsp.TimeStampResp.load(body)

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return await asyncio.to_thread(self.request_tsa_response, req)

    def timestamp_token(self, message_digest: bytes) -> bytes:
        """DER ContentInfo of a time-stamp token over a SHA-256 ``message_digest``."""
        nonce, req = self.request_cms(message_digest, "sha256")
        response = self.request_tsa_response(req)
        try:
            token = response["time_stamp_token"]
            info = token["content"]["encap_content_info"]["content"].parsed
            imprint = info["message_imprint"]
            stamped = (
                imprint["hash_algorithm"]["algorithm"].native,
                imprint["hashed_message"].native,
            )
            echoed_nonce = info["nonce"].native
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise TimestampRequestError(f"TSA {self.url} sent a malformed token") from exc
        if echoed_nonce != nonce:
            raise TimestampRequestError(f"TSA {self.url} answered another request (nonce)")
        if stamped != ("sha256", message_digest):
            raise TimestampRequestError(f"TSA {self.url} stamped a different message imprint")
        der = token.dump()
        self.largest_token = max(self.largest_token, len(der))
        return der


class _Responder:
    """Builds granted TimeStampResp for requests; thread-safe (no shared mutable state)."""

    def __init__(
        self,
        certificate: asn1_x509.Certificate,
        key: rsa.RSAPrivateKey,
        chain: list[asn1_x509.Certificate],
    ) -> None:
        self.certificate = certificate
        self._key = key
        self._template = CmsTemplate(certificate, chain, content_type="tst_info")
        self._tsa_name = asn1_x509.GeneralName({"directory_name": certificate.subject})

    def respond(self, body: bytes) -> bytes:
        try:
            req = tsp.TimeStampReq.load(body)
            imprint = req["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
            nonce = req["nonce"].native
        except (ValueError, KeyError, TypeError):
            return self._reject("bad_data_format")
        if algorithm not in ("sha256", "sha384", "sha512"):
            return self._reject("bad_alg")
        if len(digest) != hashlib.new(algorithm).digest_size:
            return self._reject("bad_data_format")
        info = {
            "version": "v1",
            "policy": DEV_TSA_POLICY,
            "message_imprint": {
                "hash_algorithm": {"algorithm": algorithm},
                "hashed_message": digest,
            },
            "serial_number": secrets.randbits(63),
            "gen_time": dt.datetime.now(dt.UTC),
            "accuracy": {"seconds": 1},
            "tsa": self._tsa_name,
        }
        if nonce is not None:
            info["nonce"] = nonce
        tst_info = tsp.TSTInfo(info).dump()
        attrs = self._template.signed_attributes(hashlib.sha256(tst_info).digest())
        signature = self._key.sign(attrs, padding.PKCS1v15(), hashes.SHA256())
        token = self._template.signed_data(attrs, signature, content=tst_info)
        status = tsp.PKIStatusInfo({"status": "granted"}).dump()
        return tlv(0x30, status + token)  # TimeStampResp, token spliced in as DER

    @staticmethod
    def _reject(reason: str) -> bytes:
        status = tsp.PKIStatusInfo({"status": "rejection", "fail_info": {reason}})
        return tlv(0x30, status.dump())  # TimeStampResp without a token


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection (and thread) per client
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed ACK
    responder: ClassVar[_Responder]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Content-Type") != QUERY_TYPE or not 0 < length <= _MAX_REQUEST:
            self.send_error(415 if length else 400)
            return
        reply = self.responder.respond(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Type", REPLY_TYPE)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:  # quiet in tests
        return


class TsaServer:
    """A loopback RFC 3161 TSA in a background thread; use as a context manager."""

    def __init__(
        self,
        certificate: asn1_x509.Certificate,
        key: rsa.RSAPrivateKey,
        chain: list[asn1_x509.Certificate] | None = None,
        port: int = 0,
    ) -> None:
        responder = _Responder(certificate, key, chain or [])
        handler = type("TsaHandler", (_Handler,), {"responder": responder})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @classmethod
    def from_dev_pki(cls, pki: DevPki, port: int = 0) -> TsaServer:
        """The TSA of a development PKI made by ``make_dev_pki``."""
        return cls(
            load_asn1_certificate(pki.tsa_cert),
            load_private_key(pki.tsa_key, pki.password),
            [load_asn1_certificate(pki.intermediate_cert)],
            port=port,
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/tsa"

    def start(self) -> TsaServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> TsaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
