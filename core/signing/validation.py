"""Validation of the signatures of a PDF, summarised in a msgspec report.

pyHanko does the work (CMS integrity, certificate path to the given trust roots, embedded
RFC 3161 tokens, byte-range coverage and the difference analysis of later revisions); this
module turns its status objects into plain data the API and the sede can show.

A signature "covers the whole document" when its byte range is the entire file; an earlier
signature of a flow covers only its own revision, and then ``modifications`` tells whether
what came after is acceptable (new signatures and form filling) or not.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable

import msgspec
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    KeyUsageConstraints,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from .errors import InvalidPdfError
from .pdfread import PARSE_ERRORS, read_pdf

PADES_SUBFILTER = "/ETSI.CAdES.detached"
FETCH_TIMEOUT = 5.0  # seconds per CRL or OCSP request
_UNKNOWN_REVOCATION = frozenset({"TRY_LATER", "REVOCATION_OUT_OF_BOUNDS_NO_POE",
                                 "OUT_OF_BOUNDS_NOT_REVOKED", "OUT_OF_BOUNDS_NO_POE"})
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


class SignatureReport(msgspec.Struct, frozen=True):
    """What can be said about one signature field."""

    field_name: str
    signer_subject: str | None = None
    signer_common_name: str | None = None
    signing_time: dt.datetime | None = None  # claimed (/M), not proven
    timestamp_time: dt.datetime | None = None  # from a valid, trusted RFC 3161 token
    pades: bool = False  # SubFilter ETSI.CAdES.detached
    intact: bool = False  # the signed bytes are unchanged
    valid: bool = False  # intact and the CMS signature verifies
    trusted: bool = False  # the certificate chains up to a trust root
    trust_problem: str | None = None
    coverage: str | None = None  # entire_file, entire_revision, contiguous_blocks, unclear
    whole_document: bool = False  # the byte range is the whole file
    modifications: str | None = None  # none, lta_updates, form_filling, annotations, other
    modifications_allowed: bool = False  # what came after the signature is acceptable
    revocation: str | None = None  # "revoked", "unknown" (could not be learnt) or None
    ok: bool = False  # pyHanko's bottom line: valid, trusted, acceptable modifications
    error: str | None = None  # the signature could not be evaluated at all


class ValidationReport(msgspec.Struct, frozen=True):
    """Every signature of a document, in document order."""

    signatures: list[SignatureReport]
    all_ok: bool


def _timestamp_time(status) -> dt.datetime | None:
    token = status.timestamp_validity
    if token is None or not (token.valid and token.trusted):
        return None
    return token.timestamp


def _revocation(status) -> str | None:
    """What the trust problem says about revocation: revoked, unknown, or nothing."""
    problem = status.trust_problem_indic
    name = getattr(problem, "name", "")
    if name.startswith("REVOKED"):
        return "revoked"
    if name in _UNKNOWN_REVOCATION:
        return "unknown"
    return None


def _report(sig: EmbeddedPdfSignature, status, revocation: str | None) -> SignatureReport:
    cert = status.signing_cert
    coverage = status.coverage
    level = status.modification_level
    return SignatureReport(
        field_name=str(sig.field_name),
        signer_subject=cert.subject.human_friendly,
        signer_common_name=cert.subject.native.get("common_name"),
        signing_time=status.signer_reported_dt,
        timestamp_time=_timestamp_time(status),
        pades=sig.sig_object.get("/SubFilter") == PADES_SUBFILTER,
        intact=status.intact,
        valid=status.intact and status.valid,
        trusted=status.trusted,
        trust_problem=str(status.trust_problem_indic) if status.trust_problem_indic else None,
        coverage=coverage.name.lower() if coverage is not None else None,
        whole_document=coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modifications=level.name.lower() if level is not None else None,
        modifications_allowed=bool(status.docmdp_ok) and coverage is not None,
        revocation=revocation,
        ok=status.bottom_line,
    )


async def _status(sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate],
                  dss: DocumentSecurityStore | None, revocation_mode: str):
    options = {"trust_roots": roots, "allow_fetching": revocation_mode != "soft-fail",
               "revocation_mode": revocation_mode,
               "fetcher_backend": RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT)}
    context = (dss.as_validation_context(options) if dss is not None
               else ValidationContext(**options))
    return await async_validate_pdf_signature(sig, signer_validation_context=context,
                                              key_usage_settings=_KEY_USAGE)


def _dss(reader) -> DocumentSecurityStore | None:
    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None
    except PARSE_ERRORS as exc:
        raise InvalidPdfError(f"unreadable DSS: {exc}") from exc


async def async_validate_pdf(
    pdf: bytes, trust_roots: Iterable[asn1_x509.Certificate], *,
    revocation_mode: str = "hard-fail",
) -> ValidationReport:
    """Validate every signature of ``pdf`` against ``trust_roots``; ``InvalidPdfError`` if
    the input is not a readable PDF.

    Revocation: the CRLs and OCSP responses of the document's DSS, and those fetched from
    each certificate's distribution points and OCSP responders (``FETCH_TIMEOUT`` each).
    ``revocation_mode`` is pyHanko's policy: ``hard-fail`` (the default) makes a
    certificate that names where its status is published invalid when that status cannot
    be learnt; ``require`` demands a status for every certificate.
    """
    reader = read_pdf(pdf)
    roots = list(trust_roots)
    dss = _dss(reader)
    try:
        signatures = list(reader.embedded_signatures)
    except PARSE_ERRORS as exc:
        raise InvalidPdfError(f"unreadable signature fields: {exc}") from exc
    reports = []
    for sig in signatures:
        try:
            status = await _status(sig, roots, dss, revocation_mode)
            revocation = _revocation(status)
            if revocation is None and not status.trusted and revocation_mode != "soft-fail":
                lenient = await _status(sig, roots, dss, "soft-fail")
                revocation = "unknown" if lenient.trusted else None  # only revocation failed
        except PARSE_ERRORS as exc:  # incl. SignatureValidationError
            reports.append(SignatureReport(field_name=str(sig.field_name), error=str(exc)))
            continue
        reports.append(_report(sig, status, revocation))
    return ValidationReport(signatures=reports, all_ok=bool(reports) and all(r.ok for r in reports))


def validate_pdf(pdf: bytes, trust_roots: Iterable[asn1_x509.Certificate], *,
                 revocation_mode: str = "hard-fail") -> ValidationReport:
    """Synchronous ``async_validate_pdf`` (runs its own event loop: not from async code)."""
    return asyncio.run(async_validate_pdf(pdf, trust_roots, revocation_mode=revocation_mode))
