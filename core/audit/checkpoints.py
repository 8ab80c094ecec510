"""Signed audit checkpoints: the head of every chain, sealed, timestamped, kept outside
the database.

A checkpoint is a JSON document naming, for every entity, the ``seq`` and ``hash`` of its
chain's last entry. It is signed with the diputación's seal (CMS SignedData, CAdES
detached: content-type, message-digest and signing-certificate-v2 signed attributes) and,
when ``tsa_url`` is set, timestamped RFC 3161 over the signature value (CAdES-T). Both
files go to the blob store under ``audit-checkpoints/<YYYY-MM-DD>/`` — a folder per day,
one pair of files per checkpoint, written only if the name is free (never replaced) —
and ``concejo audit export-checkpoints DIR`` copies them out for a third party to keep.
The scheduler queues one (``scheduled``) every ``audit_checkpoint_hours``; ``concejo audit
checkpoint`` takes one now.

Whoever can write the database can cut a chain and move ``core_audit_head`` to match, or
edit an entry and recompute every later hash; neither can change a checkpoint signed
before. ``verify_against`` names the entries the last checkpoint proves were there.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from asn1crypto import cms, tsp
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from core import kernel as _kernel
from core.audit.log import BrokenLink
from core.audit.tables import AuditEntry, AuditHead
from core.errors import DomainError
from core.jobs import JobContext, job
from core.signing.backends import SignerBackend
from core.signing.cms import CmsTemplate
from core.signing.credentials import SEAL, signer_for
from core.tenancy.context import operator_tenant
from core.tenancy.rls import cross_tenant, declare_pass, tenant_scope
from core.tenancy.tables import Tenant

log = logging.getLogger(__name__)

PREFIX = "audit-checkpoints"
PASS = declare_pass("audit checkpoint")


class Head(msgspec.Struct, frozen=True):
    """One chain's head as the checkpoint saw it."""

    tenant: int
    slug: str
    seq: int
    hash: str


class Checkpoint(msgspec.Struct, frozen=True):
    """What is signed: when, and every chain's head."""

    at: datetime
    heads: list[Head]


class Signed(msgspec.Struct, frozen=True):
    """A checkpoint as stored: its name, the signed JSON, the CMS, who signed, when the
    TSA says it was (None without a TSA)."""

    name: str
    checkpoint: Checkpoint
    content: bytes
    signature: bytes
    signer: str
    timestamped_at: datetime | None


class CheckpointError(Exception):
    """A checkpoint that cannot be made, or whose signature does not hold."""


# -- signing and checking --------------------------------------------------------------


def sign(content: bytes, signer: SignerBackend, timestamper: Any = None) -> bytes:
    """CMS SignedData (detached) over ``content``, with an RFC 3161 token when a TSA
    client is given."""
    template = CmsTemplate(signer.certificate, signer.chain)
    attributes = template.signed_attributes(hashlib.sha256(content).digest())
    signature = signer.sign(attributes)
    token = timestamper.timestamp_token(hashlib.sha256(signature).digest()) \
        if timestamper is not None else None
    return template.signed_data(attributes, signature, token)


def check(content: bytes, signature: bytes) -> tuple[str, datetime | None]:
    """The signer's common name and the time-stamp's time, if the CMS signs ``content``;
    ``CheckpointError`` otherwise."""
    try:
        signed = cms.ContentInfo.load(signature)["content"]
        info = signed["signer_infos"][0]
        serial = info["sid"].chosen["serial_number"].native
        certificate = next(c.chosen for c in signed["certificates"]
                           if c.chosen.serial_number == serial)
        attributes = info["signed_attrs"]
        digest = next(a["values"][0].native for a in attributes
                      if a["type"].native == "message_digest")
        if digest != hashlib.sha256(content).digest():
            raise CheckpointError("the signature is not over this checkpoint")
        key = load_der_public_key(certificate.public_key.dump())
        assert isinstance(key, rsa.RSAPublicKey)
        value = info["signature"].native
        key.verify(value, b"\x31" + attributes.dump()[1:], padding.PKCS1v15(),
                   hashes.SHA256())
        stamped = _timestamp(info, value)
    except CheckpointError:
        raise
    except (InvalidSignature, ValueError, KeyError, StopIteration, TypeError,
            AssertionError) as exc:
        raise CheckpointError(f"the signature does not hold: {exc or type(exc).__name__}"
                              ) from None
    return certificate.subject.native.get("common_name", ""), stamped


def _timestamp(info: Any, signature: bytes) -> datetime | None:
    unsigned = info["unsigned_attrs"]
    if not unsigned or unsigned.native is None:
        return None
    for attribute in unsigned:
        if attribute["type"].dotted == "1.2.840.113549.1.9.16.2.14":
            token = attribute["values"][0]
            tst = tsp.TSTInfo.load(token["content"]["encap_content_info"]["content"].parsed
                                   .dump())
            imprint = tst["message_imprint"]["hashed_message"].native
            if imprint != hashlib.sha256(signature).digest():
                raise CheckpointError("the time-stamp is not over this signature")
            return tst["gen_time"].native
    return None


# -- the blob store's named files --------------------------------------------------------


def _put_named(name: str, data: bytes) -> None:
    """Write ``PREFIX/name`` once; a name already taken is never replaced."""
    blobs = _kernel.current().blobs
    if hasattr(blobs, "root"):
        path = Path(blobs.root) / PREFIX / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as out:
            out.write(data)
        return
    blobs.client.put_object(Bucket=blobs.bucket, Key=f"{PREFIX}/{name}", Body=data,
                            IfNoneMatch="*")


def _names() -> list[str]:
    blobs = _kernel.current().blobs
    if hasattr(blobs, "root"):
        top = Path(blobs.root) / PREFIX
        return sorted(str(p.relative_to(top)) for p in top.glob("*/*") if p.is_file())
    pages = blobs.client.get_paginator("list_objects_v2").paginate(
        Bucket=blobs.bucket, Prefix=f"{PREFIX}/")
    return sorted(o["Key"].removeprefix(f"{PREFIX}/") for page in pages
                  for o in page.get("Contents", []))


def _get_named(name: str) -> bytes:
    blobs = _kernel.current().blobs
    if hasattr(blobs, "root"):
        return (Path(blobs.root) / PREFIX / name).read_bytes()
    return blobs.client.get_object(Bucket=blobs.bucket, Key=f"{PREFIX}/{name}")["Body"].read()


# -- making, listing, verifying ----------------------------------------------------------


async def heads() -> list[Head]:
    """The head of every entity's chain, now."""
    async with cross_tenant(PASS):
        slugs = {r["id"]: r["slug"] for r in await Tenant.select(Tenant.id, Tenant.slug)}
        rows = await AuditHead.select(AuditHead.tenant, AuditHead.seq, AuditHead.hash)
    return sorted((Head(tenant=r["tenant"], slug=slugs.get(r["tenant"], ""), seq=r["seq"],
                        hash=r["hash"]) for r in rows), key=lambda h: h.tenant)


async def make(now: datetime | None = None) -> Signed:
    """Sign the heads of every chain with the diputación's seal and store the checkpoint."""
    operator = await operator_tenant()
    if operator is None:
        raise CheckpointError("No hay diputación que selle los puntos de control")
    signer = await signer_for(operator, SEAL)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    checkpoint = Checkpoint(at=at, heads=await heads())
    content = msgspec.json.encode(checkpoint)
    signature = await asyncio.to_thread(sign, content, signer,
                                        _kernel.current().signing.timestamper)
    name = f"{at:%Y-%m-%d}/{at:%H%M%S%f}"
    await asyncio.to_thread(_put_named, f"{name}.json", content)
    await asyncio.to_thread(_put_named, f"{name}.p7s", signature)
    signer_name, stamped = check(content, signature)
    return Signed(name=name, checkpoint=checkpoint, content=content, signature=signature,
                  signer=signer_name, timestamped_at=stamped)


async def stored() -> list[str]:
    """The names of the stored checkpoints, oldest first."""
    return [n.removesuffix(".json") for n in await asyncio.to_thread(_names)
            if n.endswith(".json")]


async def load(name: str) -> Signed:
    """A stored checkpoint, its signature checked (``CheckpointError`` if it fails)."""
    content = await asyncio.to_thread(_get_named, f"{name}.json")
    signature = await asyncio.to_thread(_get_named, f"{name}.p7s")
    signer_name, stamped = check(content, signature)
    return Signed(name=name, checkpoint=msgspec.json.decode(content, type=Checkpoint),
                  content=content, signature=signature, signer=signer_name,
                  timestamped_at=stamped)


async def export(directory: Path) -> list[str]:
    """Copy every stored checkpoint (JSON and signature) into ``directory``."""
    copied = []
    for name in await asyncio.to_thread(_names):
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(await asyncio.to_thread(_get_named, name))
        copied.append(name)
    return copied


async def verify_against(head: Head, checkpoint: Signed) -> BrokenLink | None:
    """What the checkpoint proves missing or altered in the chain of ``head.tenant``."""
    when = f"{checkpoint.checkpoint.at:%Y-%m-%d %H:%M:%S} UTC"
    async with tenant_scope(head.tenant):
        rows = await AuditEntry.select(AuditEntry.seq, AuditEntry.hash).where(
            (AuditEntry.tenant == head.tenant) & (AuditEntry.seq <= head.seq)
        ).order_by(AuditEntry.seq)
    present = {r["seq"]: r["hash"] for r in rows}
    missing = [seq for seq in range(1, head.seq + 1) if seq not in present]
    if missing:
        return BrokenLink(head.tenant, missing[0],
                          f"entries {_ranges(missing)} are missing: the checkpoint of {when} "
                          f"saw the chain up to entry {head.seq}")
    if present.get(head.seq) != head.hash:
        return BrokenLink(head.tenant, head.seq,
                          f"entry {head.seq} is not the one the checkpoint of {when} saw: "
                          f"entries up to {head.seq} were altered")
    return None


def _ranges(numbers: list[int]) -> str:
    spans: list[list[int]] = []
    for n in numbers:
        if spans and spans[-1][1] == n - 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a} to {b}" for a, b in spans)


@job("core.audit_checkpoint", max_retries=0)
async def scheduled(ctx: JobContext) -> None:
    """The periodic checkpoint (every ``audit_checkpoint_hours``, queued by the scheduler
    for the diputación); without a seal it is logged and skipped."""
    try:
        signed = await make()
    except (CheckpointError, DomainError) as exc:
        log.warning("No audit checkpoint: %s", exc)
        return
    log.info("Audit checkpoint %s of %d chains", signed.name, len(signed.checkpoint.heads))
