"""PKCS#11 signing against a real SoftHSM2 token made in a temporary folder."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from signing_tools import require_tool

from core.signing.backends import Pkcs11Backend, SignerBackend
from core.signing.errors import SigningError
from core.signing.pades import sign_pdf
from core.signing.samples import sample_pdf
from core.signing.validation import validate_pdf

PIN = "1234"
TOKEN = "concejo-test"
MODULE_CANDIDATES = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
]


def _module() -> str:
    for path in MODULE_CANDIDATES:
        if os.path.exists(path):
            return path
    require_tool("libsofthsm2.so")  # never on PATH: skips, or fails in CI
    raise AssertionError("unreachable")


def _run(*args: str, env: dict[str, str]) -> None:
    subprocess.run(args, check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def token(pki, seal_nif, tmp_path_factory) -> Iterator[str]:
    """A SoftHSM2 token holding the seal key, its certificate and the intermediate CA."""
    softhsm = require_tool("softhsm2-util")
    p11tool = require_tool("pkcs11-tool")
    module = _module()
    folder: Path = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    _run(softhsm, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "5678",
         env=env)  # fmt: skip
    key, cert, extra = pkcs12.load_key_and_certificates(
        pki.seals[seal_nif].pkcs12.read_bytes(), pki.password
    )
    der = serialization.Encoding.DER
    (folder / "key.der").write_bytes(
        key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (folder / "cert.der").write_bytes(cert.public_bytes(der))
    (folder / "ca.der").write_bytes(extra[0].public_bytes(der))
    base = [p11tool, "--module", module, "--token-label", TOKEN, "--login", "--pin", PIN]
    for path, kind, label, ident in [
        ("key.der", "privkey", "sello", "01"),
        ("cert.der", "cert", "sello", "01"),
        ("ca.der", "cert", "subordinada", "02"),
    ]:
        _run(*base, "--write-object", str(folder / path), "--type", kind, "--label", label,
             "--id", ident, env=env)  # fmt: skip
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by SoftHSM when the module initialises
    yield module
    if previous is None:
        del os.environ["SOFTHSM2_CONF"]
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def test_pkcs11_signs_a_valid_pades_signature(token, seal, trust_roots, pdfsig):
    backend = Pkcs11Backend(token, token_label=TOKEN, pin=PIN, key_label="sello")
    try:
        assert isinstance(backend, SignerBackend)
        assert backend.certificate.dump() == seal.certificate.dump()
        assert [c.dump() for c in backend.chain] == [c.dump() for c in seal.chain]
        signed = sign_pdf(sample_pdf(), backend)
    finally:
        backend.close()

    [sig] = validate_pdf(signed, trust_roots).signatures
    assert sig.ok and sig.whole_document
    assert pdfsig(signed)[0]["Signature Validation"] == "Signature is Valid."


def test_pkcs11_wrong_pin_or_label_fails_clearly(token):
    with pytest.raises(SigningError, match="PKCS#11"):
        Pkcs11Backend(token, token_label=TOKEN, pin="0000", key_label="sello")
    with pytest.raises(SigningError):
        Pkcs11Backend(token, token_label=TOKEN, pin=PIN, key_label="no-such-key")
