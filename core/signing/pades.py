"""PAdES signing (ETSI EN 319 142-1 B-B, and B-T with an RFC 3161 TSA) on a fast path.

``sign_pdf`` adds one signature as an incremental update, so its output can be signed again
by the next signer of a flow and every earlier signature stays valid.

How it is fast (see docs/signing.md for the profile): the private key is parsed once per
backend (pyHanko's ``SimpleSigner`` re-parses it for every signature, twice); the CMS is
assembled from a per-certificate ``CmsTemplate`` instead of being rebuilt with asn1crypto;
its size is known exactly, so there is no dry-run signature; the stamp's constant part is
cached. The PDF side (field, widget, /AP, /ByteRange placeholder, incremental xref, one-pass
hash of the byte range) uses pyHanko's low-level ``PdfCMSEmbedder``.

Conformance: SubFilter ETSI.CAdES.detached; signed attributes content-type, message-digest
and signing-certificate-v2 and no signing-time; the claimed signing time goes in ``/M``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import weakref
from collections.abc import Generator, Iterator
from typing import IO, Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.form_tools import get_single_field_annot
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.cms_embedder import PdfCMSEmbedder, SigIOSetup, SigObjSetup
from pyhanko.sign.signers.pdf_byterange import SignatureObject
from pyhanko.sign.validation import read_certification_data

from .backends import SignerBackend
from .cms import CmsTemplate
from .errors import InvalidPdfError, SigningError
from .pdfread import PARSE_ERRORS, read_pdf
from .stamp import MADRID, StampInfo, appearance_xobject, default_box
from .tsa import TsaClient

TOKEN_SIZE_GUESS = 6 * 1024  # bytes reserved for a time-stamp token before the TSA is known
TOKEN_SLACK = 512


class _Prepared:
    """What is constant for one signer backend: the CMS template and the public key."""

    def __init__(self, signer: SignerBackend) -> None:
        self.template = CmsTemplate(signer.certificate, signer.chain)
        public_key = load_der_public_key(signer.certificate.public_key.dump())
        assert isinstance(public_key, rsa.RSAPublicKey)
        self.public_key = public_key
        self.common_name = signer.certificate.subject.native.get("common_name", "")


_prepared: weakref.WeakKeyDictionary[SignerBackend, _Prepared] = weakref.WeakKeyDictionary()


def _prepare(signer: SignerBackend) -> _Prepared:
    try:
        prepared = _prepared.get(signer)
    except TypeError:  # not weak-referenceable: no caching
        return _Prepared(signer)
    if prepared is None:
        prepared = _prepared[signer] = _Prepared(signer)
    return prepared


def _reader(pdf: bytes) -> PdfFileReader:
    reader = read_pdf(pdf)
    if reader.encrypted:
        raise InvalidPdfError("encrypted PDFs cannot be signed")
    return reader


class _Request(msgspec.Struct, frozen=True):
    stamp: StampInfo | None
    timestamper: TsaClient | None
    field_name: str | None
    signed_at: dt.datetime
    reason: str | None
    location: str | None


def _add_appearance(
    writer: IncrementalPdfFileWriter,
    field: generic.DictionaryObject,
    stamp: StampInfo,
    label: str,
    signed_at: dt.datetime,
) -> None:
    """Give the field's widget the stamp as normal appearance, sized to its /Rect."""
    annot = get_single_field_annot(field)
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    width, height = abs(x2 - x1), abs(y2 - y1)
    if not (width and height):
        return  # a pre-existing invisible field stays invisible
    xobject = appearance_xobject(stamp, label, signed_at, width, height)
    xobject.compress()
    annot[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): writer.add_object(xobject)})
    writer.update_container(annot)


@contextlib.contextmanager
def _pdf_errors() -> Iterator[None]:
    """Map what pyHanko raises while reading or writing the document to our exceptions."""
    try:
        yield
    except PyHankoSigningError as exc:  # e.g. the named field is already signed
        raise SigningError(str(exc)) from exc
    except PARSE_ERRORS as exc:
        raise InvalidPdfError(f"cannot add a signature to this PDF: {exc}") from exc


def _open_field(
    pdf: bytes, prepared: _Prepared, request: _Request, reserved: int
) -> tuple[Generator[Any, Any, Any], bytes, IO[bytes]]:
    """Create or fill the field, write the update with its placeholder and hash it; returns
    the embedder coroutine (waiting for the CMS), the digest and the output stream."""
    reader = _reader(pdf)
    certification = read_certification_data(reader)
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise SigningError("the document is certified and its author forbids any change")
    writer = IncrementalPdfFileWriter.from_reader(reader)
    existing = sum(1 for _ in enumerate_sig_fields(reader))
    name = request.field_name or f"Firma{existing + 1}"
    stamp = request.stamp
    box = (stamp.box or default_box(existing)) if stamp is not None else None
    spec = SigFieldSpec(name, box=box, on_page=stamp.page if stamp is not None else 0)
    cms_writer = PdfCMSEmbedder(spec).write_cms(name, writer)
    field_ref = next(cms_writer)
    if stamp is not None:
        label = stamp.signer_label or prepared.common_name
        _add_appearance(writer, field_ref.get_object(), stamp, label, request.signed_at)
    placeholder = SignatureObject(
        timestamp=request.signed_at,
        subfilter=SigSeedSubFilter.PADES,
        reason=request.reason,
        location=request.location,
        bytes_reserved=2 * reserved,
    )
    cms_writer.send(SigObjSetup(sig_placeholder=placeholder))
    prepared_digest, output = cms_writer.send(SigIOSetup(md_algorithm="sha256"))
    return cms_writer, prepared_digest.document_digest, output


def _sign_once(
    pdf: bytes, signer: SignerBackend, prepared: _Prepared, request: _Request, reserved: int
) -> tuple[bytes | None, int]:
    """One attempt; returns (signed PDF, CMS size), or (None, size) when it did not fit."""
    with _pdf_errors():
        cms_writer, digest, output = _open_field(pdf, prepared, request, reserved)
    attrs = prepared.template.signed_attributes(digest)
    signature = signer.sign(attrs)
    try:
        prepared.public_key.verify(signature, attrs, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SigningError("the backend's signature does not match its certificate") from None
    token = None
    if request.timestamper is not None:
        token = request.timestamper.timestamp_token(hashlib.sha256(signature).digest())
    cms = prepared.template.signed_data(attrs, signature, token)
    if len(cms) > reserved:
        return None, len(cms)
    with _pdf_errors():
        cms_writer.send(cms)
    return output.getvalue(), len(cms)


def sign_pdf(
    pdf: bytes,
    signer: SignerBackend,
    *,
    stamp: StampInfo | None = None,
    timestamper: TsaClient | None = None,
    field_name: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    signing_time: dt.datetime | None = None,
) -> bytes:
    """Sign ``pdf`` with ``signer`` and return the new PDF (input + one incremental update).

    PAdES-B-B, or B-T when ``timestamper`` is given. ``stamp`` adds a visible stamp (signer,
    date-time, CSV, verification URL, QR); without it the signature is invisible.
    ``field_name`` defaults to ``FirmaN`` (N = signature fields so far + 1); naming an
    existing empty signature field fills it (the stamp then takes that field's /Rect).
    ``signing_time`` (default: now) goes in ``/M`` and on the stamp.

    Raises ``InvalidPdfError`` for input that is not a readable, unencrypted PDF,
    ``SigningError`` when the document or the backend cannot be used, and pyHanko's
    ``TimestampRequestError`` (an ``OSError``) when the TSA fails.
    """
    prepared = _prepare(signer)
    signed_at = (signing_time or dt.datetime.now(MADRID)).replace(microsecond=0)
    request = _Request(stamp, timestamper, field_name, signed_at, reason, location)
    token_room = 0
    if timestamper is not None:
        token_room = (timestamper.largest_token or TOKEN_SIZE_GUESS) + TOKEN_SLACK
    reserved = prepared.template.max_size(token_room)
    for _attempt in range(2):
        signed, size = _sign_once(pdf, signer, prepared, request, reserved)
        if signed is not None:
            return signed
        reserved = size + TOKEN_SLACK  # the TSA token was larger than ever seen: retry once
    raise SigningError("the signature container does not fit its reserved space")
