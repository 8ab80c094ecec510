"""Signer credentials: sealed at rest with the master key and bound to their tenant,
refused when they do not open or have expired, replaced, opened through backend hooks."""

from __future__ import annotations

import argparse
import datetime as dt
import os

import msgspec
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from core import kernel as _kernel
from core.documents.services import issue_document, read_content
from core.identity.services import ensure_user
from core.settings import Settings
from core.signing.credentials import (
    PERSONAL,
    SEAL,
    InvalidCredential,
    install_credential,
    install_pkcs12,
    list_credentials,
)
from core.signing.devsetup import pki_directory
from core.signing.errors import SecretError
from core.signing.registry import SealedSecret
from core.signing.samples import sample_pdf
from core.signing.tables import SignerCredential
from tests.fakes import alpha


def dev_seal(tenant) -> tuple[bytes, bytes]:
    """The PKCS#12 file and password of the tenant's seal in the development PKI."""
    from core.signing.devpki import normalize_nif

    folder = pki_directory()
    return ((folder / "seals" / f"{normalize_nif(tenant.nif)}.p12").read_bytes(),
            (folder / "password.txt").read_bytes().strip())


def expired_pkcs12(password: bytes) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SELLO CADUCADO")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        b"x", key, cert, None, serialization.BestAvailableEncryption(password))


async def seal_row(tenant) -> dict:
    return await SignerCredential.select().where(
        (SignerCredential.tenant == tenant.id) & (SignerCredential.purpose == SEAL)
        & (SignerCredential.active == True)).first()  # noqa: E712


async def test_the_seal_is_sealed_at_rest_and_bound_to_its_tenant(sealed_tenant):
    tenant, other = await sealed_tenant(), await sealed_tenant()
    p12, password = dev_seal(tenant)
    row = await seal_row(tenant)
    sealed = bytes(row["sealed_secret"])
    assert p12[:64] not in sealed and password not in sealed
    master = _kernel.current().signing.master_key
    with pytest.raises(SecretError):  # another deployment's key
        SealedSecret(sealed, os.urandom(32), f"concejo-credential:{tenant.id}:seal:0".encode()
                     ).open()
    with pytest.raises(SecretError):  # copied into another tenant's row
        SealedSecret(sealed, master, f"concejo-credential:{other.id}:seal:0".encode()).open()
    assert SealedSecret(sealed, master, f"concejo-credential:{tenant.id}:seal:0".encode()
                        ).open()


async def test_credentials_that_do_not_open_are_refused_and_nothing_is_saved(sealed_tenant):
    tenant = await sealed_tenant()
    p12, password = dev_seal(tenant)
    before = await list_credentials(tenant)
    cases = [(p12, b"wrong password", "no se puede abrir"),
             (b"not a pkcs12 file", password, "no se puede abrir"),
             (expired_pkcs12(password), password, "caducó")]
    for data, secret, message in cases:
        with pytest.raises(InvalidCredential, match=message):
            await install_pkcs12(tenant, pkcs12=data, password=secret, actor="t")
    with pytest.raises(InvalidCredential, match="backend"):
        await install_credential(tenant, backend="no-such", config={}, secret=b"", actor="t")
    stranger = await ensure_user("forastero@test.invalid", "Persona Forastera")
    with pytest.raises(InvalidCredential, match="no pertenece"):
        await install_pkcs12(tenant, pkcs12=p12, password=password, actor="t",
                             purpose=PERSONAL, user_id=stranger)
    assert await list_credentials(tenant) == before


async def test_a_new_seal_replaces_the_active_one(sealed_tenant):
    tenant = await sealed_tenant()
    p12, password = dev_seal(tenant)
    first = await seal_row(tenant)
    replacement = await install_pkcs12(tenant, pkcs12=p12, password=password, actor="admin")
    credentials = await list_credentials(tenant)
    assert [c.id for c in credentials if c.purpose == SEAL and c.active] == [replacement.id]
    assert first["id"] in [c.id for c in credentials if not c.active]
    assert "SELLO DE" in replacement.subject
    document = await issue_document(tenant, pdf=sample_pdf(), title="Tras el cambio",
                                    tipo_documental="TD11", actor="t")
    assert document.signatures[0].signer_name.startswith("SELLO DE")


async def test_a_backend_from_a_plugin_hook_signs(sealed_tenant, pdfsig):
    tenant = await sealed_tenant()
    p12, password = dev_seal(tenant)
    alpha.CALLS.clear()
    await install_credential(tenant, backend="alpha-remote", actor="t", secret=p12,
                             config={"service": "https://firma.example", "password":
                                     password.decode()})
    document = await issue_document(tenant, pdf=sample_pdf(), title="Firmado en remoto",
                                    tipo_documental="TD11", actor="t")
    assert ("signer_backend", "https://firma.example") in alpha.CALLS
    _, content = await read_content(tenant, document.id)
    assert [s["Signature Validation"] for s in pdfsig(content)] == ["Signature is Valid."]


def test_the_master_key_is_generated_once_private_and_checked(tmp_path):
    settings = Settings(data_dir=str(tmp_path))
    key = settings.effective_master_key()
    assert len(key) == 32 and settings.effective_master_key() == key
    assert (tmp_path / "master.key").stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=str(tmp_path), master_key="ab" * 32).effective_master_key() == (
        b"\xab" * 32)
    with pytest.raises(ValueError, match="64 hexadecimal"):
        Settings(master_key="not hex").effective_master_key()
    production = msgspec.structs.replace(settings, profile="production")
    assert any("master_key" in p for p in production.production_problems())


async def test_concejo_pki_dev_installs_what_is_missing(concejo_kernel, make_tenant, capsys):
    tenant = await make_tenant()
    [command] = [c for c in concejo_kernel.commands if c.name == "pki"]
    parser = argparse.ArgumentParser()
    command.configure(parser)
    assert await command.run(parser.parse_args(["dev", "--tenant", tenant.slug]),
                             concejo_kernel) == 0
    assert f"Seals installed: {tenant.slug}" in capsys.readouterr().out
    assert [c.purpose for c in await list_credentials(tenant)] == [SEAL]
    await command.run(parser.parse_args(["dev", "--tenant", tenant.slug]), concejo_kernel)
    assert "Seals installed: none new" in capsys.readouterr().out
