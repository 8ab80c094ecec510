"""``concejo pki dev``: a local test PKI with a seal for every entity and a personal
certificate for every member, installed as their credentials, so a demo signs out of the
box. Never for production: the CA is made on this machine and its key sits next to it.

The PKI lives in ``<data dir>/pki`` (``devpki.make_dev_pki``, kept and completed on every
run); signature validation trusts its root while it is there. People get synthetic DNI
numbers derived from their user id (valid check letter, flagged by the CA's name).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.serialization import Encoding
from stdnum.es import dni

from core import kernel as _kernel
from core.identity.tables import Membership
from core.tenancy.context import TenantContext, tenant_by_slug
from core.tenancy.tables import Tenant

from .credentials import PERSONAL, SEAL, install_pkcs12
from .devpki import (
    DevPki,
    PersonSubject,
    SealSubject,
    load_certificate,
    make_dev_pki,
    normalize_nif,
)
from .tables import SignerCredential

ACTOR = "pki-dev"


class DevPkiReport(msgspec.Struct, kw_only=True):
    directory: Path
    seals: list[str]  # tenant slugs that got a (new) seal
    people: list[str]  # "<email>@<tenant slug>" that got a (new) certificate


def pki_directory() -> Path:
    return _kernel.current().settings.data_path / "pki"


def synthetic_dni(user_id: int) -> str:
    """A DNI with a valid check letter, derived from the user id (not a real person's)."""
    number = f"{(99_000_000 + user_id) % 100_000_000:08d}"
    return number + dni.calc_check_digit(number)


def _person(user: dict) -> PersonSubject:
    given, _, surnames = user["name"].partition(" ")
    return PersonSubject(given_name=given or "Usuario", surnames=surnames or "Demo",
                         nif=synthetic_dni(user["id"]))


async def _installed(tenant_id: int, purpose: str, user_id: int | None, cert_der: bytes) -> bool:
    owner = SignerCredential.user.is_null() if user_id is None else (
        SignerCredential.user == user_id)
    row = await SignerCredential.select(SignerCredential.certificate).where(
        (SignerCredential.tenant == tenant_id) & (SignerCredential.purpose == purpose)
        & owner & (SignerCredential.active == True)).first()  # noqa: E712
    return row is not None and bytes(row["certificate"]) == cert_der


def _der(path: Path) -> bytes:
    return load_certificate(path).public_bytes(Encoding.DER)


async def provision_dev_pki(slugs: list[str] | None = None) -> DevPkiReport:
    """Make (or complete) the dev PKI and install the credentials still missing for the
    given entities (all by default) and every member of them."""
    query = Tenant.select(Tenant.slug)
    rows = await (query.where(Tenant.slug.is_in(slugs)) if slugs else query)
    tenants = [t for t in [await tenant_by_slug(r["slug"]) for r in rows] if t is not None]
    members = await Membership.select(
        Membership.tenant, Membership.user.id.as_alias("id"),
        Membership.user.name.as_alias("name"), Membership.user.email.as_alias("email"),
    ).where(Membership.tenant.is_in([t.id for t in tenants] or [0]))
    people = {m["id"]: m for m in members}
    pki: DevPki = await asyncio.to_thread(
        make_dev_pki, pki_directory(),
        [SealSubject(entity_name=t.name, nif=t.nif) for t in tenants],
        [_person(user) for user in people.values()])
    report = DevPkiReport(directory=pki.directory, seals=[], people=[])
    for tenant in tenants:
        files = pki.seals[normalize_nif(tenant.nif)]
        if await _install(tenant, pki, files.pkcs12, files.cert_pem, SEAL, None):
            report.seals.append(tenant.slug)
    by_id = {t.id: t for t in tenants}
    for member in members:
        files = pki.people[synthetic_dni(member["id"])]
        if await _install(by_id[member["tenant"]], pki, files.pkcs12, files.cert_pem, PERSONAL,
                          member["id"]):
            report.people.append(f"{member['email']}@{by_id[member['tenant']].slug}")
    return report


async def _install(tenant: TenantContext, pki: DevPki, pkcs12: Path, cert_pem: Path,
                   purpose: str, user_id: int | None) -> bool:
    if await _installed(tenant.id, purpose, user_id, await asyncio.to_thread(_der, cert_pem)):
        return False
    await install_pkcs12(tenant, pkcs12=await asyncio.to_thread(pkcs12.read_bytes),
                         password=pki.password, actor=ACTOR, purpose=purpose, user_id=user_id)
    return True


async def demo_signing() -> list[str]:
    """What ``concejo demo`` adds for the demo entities: certificates for their members
    (seals came with ``on_demo_loaded``) and each one's demo document, with the address
    where the sede verifies it. Other entities of the deployment are left alone."""
    from core.demo import ENTITIES
    from core.documents.demo import demo_document
    from core.documents.services import verify_url

    slugs = [entity.slug for entity in ENTITIES]
    report = await provision_dev_pki(slugs)
    lines = [f"Development PKI in {report.directory} (not for production): "
             f"{len(report.seals)} new seals, {len(report.people)} new personal certificates.",
             "Demo documents, sealed, with the CSV the sede verifies:"]
    for slug in slugs:
        tenant = await tenant_by_slug(slug)
        document = await demo_document(tenant)
        lines.append(f"  {tenant.slug:28} {document.csv}  {verify_url(tenant, document.csv)}")
    return lines
