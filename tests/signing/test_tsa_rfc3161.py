"""The loopback RFC 3161 server and the client, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.client
import http.server
import socket
import threading

import pytest
from asn1crypto import algos, cms, tsp
from pyhanko.sign.timestamps import TimestampRequestError

from core.signing.cms import tlv
from core.signing.devpki import load_asn1_certificate
from core.signing.tsa import DEV_TSA_POLICY, TsaClient


def test_token_stamps_our_digest(tsa, tsa_server, pki):
    digest = hashlib.sha256(b"firma").digest()
    token = cms.ContentInfo.load(tsa.timestamp_token(digest))

    signed = token["content"]
    info = signed["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["policy"].dotted == DEV_TSA_POLICY
    names = {c.chosen.subject.native["common_name"] for c in signed["certificates"]}
    assert names == {"CONCEJO DESARROLLO TSA", "CONCEJO DESARROLLO SUBORDINADA"}
    [signer_info] = signed["signer_infos"]
    assert signer_info["sid"].chosen["serial_number"].native == (
        load_asn1_certificate(pki.tsa_cert).serial_number
    )
    assert tsa_server.url.startswith("http://127.0.0.1:")
    assert tsa.largest_token == len(token.dump())


def test_nonces_differ_and_serials_are_unique(tsa):
    digest = hashlib.sha256(b"x").digest()
    infos = [
        cms.ContentInfo.load(tsa.timestamp_token(digest))["content"]["encap_content_info"][
            "content"
        ].parsed
        for _ in range(3)
    ]
    assert len({i["nonce"].native for i in infos}) == 3
    assert len({i["serial_number"].native for i in infos}) == 3


def test_unsupported_algorithm_is_rejected(tsa):
    req = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "md5"}),
                "hashed_message": hashlib.md5(b"x").digest(),
            },
            "cert_req": True,
        }
    )
    with pytest.raises(TimestampRequestError, match="refused the request: bad_alg"):
        tsa.request_tsa_response(req)


def test_garbage_request_is_refused(tsa_server):
    host, port = tsa_server.url.split("//")[1].split("/")[0].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("POST", "/tsa", body=b"junk", headers={"Content-Type": "text/plain"})
    assert conn.getresponse().status == 415
    conn.close()


def test_unreachable_tsa_fails_clearly():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = TsaClient(f"http://127.0.0.1:{port}/tsa", timeout=2)
    with pytest.raises(TimestampRequestError, match="unreachable"):
        client.timestamp_token(hashlib.sha256(b"x").digest())


def test_only_http_urls():
    with pytest.raises(ValueError):
        TsaClient("ftp://tsa.example.org/")


class _CannedTsa(http.server.BaseHTTPRequestHandler):
    """A misbehaving TSA that answers every request with the same bytes."""

    reply: bytes = b""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(self.reply)))
        self.end_headers()
        self.wfile.write(self.reply)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def canned_tsa():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CannedTsa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _answer(server, reply: bytes) -> TsaClient:
    server.RequestHandlerClass = type("Canned", (_CannedTsa,), {"reply": reply})
    return TsaClient(f"http://127.0.0.1:{server.server_address[1]}/tsa")


def test_replayed_token_is_refused(canned_tsa, tsa):
    digest = hashlib.sha256(b"x").digest()
    _, req = tsa.request_cms(digest, "sha256")
    replay = tsa.request_tsa_response(req).dump()  # a genuine reply to another request
    with pytest.raises(TimestampRequestError, match="nonce"):
        _answer(canned_tsa, replay).timestamp_token(digest)


def test_granted_reply_with_garbage_token_is_refused(canned_tsa):
    status = tsp.PKIStatusInfo({"status": "granted"}).dump()
    garbage = tlv(0x30, status + tlv(0x30, b"\x06\x01\x00"))
    with pytest.raises(TimestampRequestError, match="malformed"):
        _answer(canned_tsa, garbage).timestamp_token(hashlib.sha256(b"x").digest())
