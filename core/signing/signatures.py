"""Add one platform signature to a PDF: PAdES with the visible CSV stamp, B-T when the
deployment has a TSA, off the event loop; returns what the document record keeps."""

from __future__ import annotations

import asyncio
import datetime as dt

import msgspec

from core import kernel as _kernel

from .backends import SignerBackend
from .pades import sign_pdf
from .stamp import MADRID, StampInfo


class Signed(msgspec.Struct, frozen=True):
    """A signed PDF and the facts about its new signature."""

    pdf: bytes
    field_name: str
    signer_name: str
    signer_subject: str
    signed_at: dt.datetime
    timestamped: bool


async def add_signature(pdf: bytes, signer: SignerBackend, *, csv: str | None,
                        verify_url: str | None, field_name: str,
                        reason: str | None = None) -> Signed:
    """Sign ``pdf`` once more (an incremental update). With a CSV the signature is visible:
    a stamp with signer, time, CSV and a QR code of ``verify_url``; without, invisible."""
    timestamper = _kernel.current().signing.timestamper
    stamp = StampInfo(csv=csv, verify_url=verify_url) if csv and verify_url else None
    signed_at = dt.datetime.now(MADRID).replace(microsecond=0)
    signed = await asyncio.to_thread(sign_pdf, pdf, signer, stamp=stamp,
                                     timestamper=timestamper, field_name=field_name,
                                     reason=reason, signing_time=signed_at)
    subject = signer.certificate.subject
    return Signed(pdf=signed, field_name=field_name,
                  signer_name=subject.native.get("common_name", subject.human_friendly),
                  signer_subject=subject.human_friendly, signed_at=signed_at,
                  timestamped=timestamper is not None)

