"""PAdES signing checked by our validator (pyHanko) and by poppler's pdfsig (NSS)."""

from __future__ import annotations

import re
from io import BytesIO

import pypdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import (
    MDPPerm,
    SigFieldSpec,
    SigSeedSubFilter,
    append_signature_field,
)

from core.signing.errors import InvalidPdfError, SigningError
from core.signing.pades import sign_pdf
from core.signing.samples import sample_pdf
from core.signing.stamp import StampInfo
from core.signing.validation import validate_pdf

SIGNED_ATTRS = {"content_type", "message_digest", "signing_certificate_v2"}


def _embedded(pdf: bytes):
    return PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures


def _assert_pades_structure(pdf: bytes) -> None:
    """ETSI EN 319 142-1 B-B essentials, read back from the file."""
    for sig in _embedded(pdf):
        obj = sig.sig_object
        assert obj["/SubFilter"] == "/ETSI.CAdES.detached"
        assert obj["/Filter"] == "/Adobe.PPKLite"
        assert "/M" in obj  # the claimed time lives in the dictionary, not in the CMS
        attrs = {a["type"].native for a in sig.signer_info["signed_attrs"]}
        assert attrs == SIGNED_ATTRS
        assert sig.signer_info["digest_algorithm"]["algorithm"].native == "sha256"
        start, hole_start, hole_end, tail = (int(x) for x in obj["/ByteRange"])
        assert start == 0
        hole = pdf[hole_start : start + hole_end]
        assert hole[:1] == b"<" and hole[-1:] == b">"  # exactly the /Contents string
        assert re.fullmatch(rb"<[0-9a-fA-F]*>", hole)
        assert hole_end + tail <= len(pdf)


def test_sign_with_stamp_is_valid_for_both_validators(seal, stamp, trust_roots, pdfsig):
    signed = sign_pdf(sample_pdf(), seal, stamp=stamp, reason="Resolución", location="Demo")

    _assert_pades_structure(signed)
    report = validate_pdf(signed, trust_roots)
    [sig] = report.signatures
    assert report.all_ok
    assert (sig.intact, sig.valid, sig.trusted, sig.pades, sig.whole_document) == (True,) * 5
    assert sig.signer_common_name == "SELLO DE AYUNTAMIENTO DE DEMO (SOLO PRUEBAS)"
    assert "VATES-P4299999E" in (sig.signer_subject or "")
    assert sig.signing_time is not None and sig.timestamp_time is None

    [independent] = pdfsig(signed)
    assert independent["Signature Validation"] == "Signature is Valid."
    assert independent["Certificate Validation"] == "Certificate is Trusted."
    assert independent["Signature Type"] == "ETSI.CAdES.detached"
    assert independent["coverage"] == "Total document signed"


def test_two_signers_each_an_incremental_update(seal, person, stamp, trust_roots, pdfsig):
    first = sign_pdf(sample_pdf(pages=2), seal, stamp=stamp)
    both = sign_pdf(first, person, stamp=stamp)

    assert both.startswith(first)
    _assert_pades_structure(both)
    report = validate_pdf(both, trust_roots)
    assert [s.field_name for s in report.signatures] == ["Firma1", "Firma2"]
    assert report.all_ok
    one, two = report.signatures
    assert (one.whole_document, one.coverage, one.modifications) == (
        False,
        "entire_revision",
        "form_filling",
    )
    assert one.modifications_allowed
    assert two.whole_document and two.signer_common_name == "PÉREZ NÚÑEZ MARÍA - 12345678Z"

    checked = pdfsig(both)
    assert [s["Signature Validation"] for s in checked] == ["Signature is Valid."] * 2
    assert [s["Certificate Validation"] for s in checked] == ["Certificate is Trusted."] * 2
    assert [s["coverage"] for s in checked] == [
        "Not total document signed",
        "Total document signed",
    ]


def test_b_t_carries_a_trusted_timestamp(seal, stamp, tsa, trust_roots, pdfsig):
    signed = sign_pdf(sample_pdf(), seal, stamp=stamp, timestamper=tsa)

    [sig] = validate_pdf(signed, trust_roots).signatures
    assert sig.ok and sig.timestamp_time is not None
    assert abs((sig.timestamp_time - sig.signing_time).total_seconds()) < 5
    [embedded] = _embedded(signed)
    unsigned = {a["type"].native for a in embedded.signer_info["unsigned_attrs"]}
    assert unsigned == {"signature_time_stamp_token"}
    [independent] = pdfsig(signed)
    assert independent["Signature Validation"] == "Signature is Valid."


def test_token_larger_than_reserved_space_is_retried(seal, tsa, trust_roots):
    tsa.largest_token = 100  # pretend earlier tokens were tiny: the first attempt cannot fit
    signed = sign_pdf(sample_pdf(), seal, timestamper=tsa)

    assert validate_pdf(signed, trust_roots).all_ok
    assert tsa.largest_token > 100


def test_flipped_byte_in_signed_range_is_invalid(seal, stamp, trust_roots, pdfsig):
    signed = sign_pdf(sample_pdf(text="Importe: 100 euros"), seal, stamp=stamp)
    tampered = signed.replace(b"Importe: 100 euros", b"Importe: 900 euros", 1)
    assert tampered != signed

    [sig] = validate_pdf(tampered, trust_roots).signatures
    assert not sig.intact and not sig.valid and not sig.ok
    [independent] = pdfsig(tampered)
    assert independent["Signature Validation"] == "Digest Mismatch."


def test_update_appended_after_signing_is_not_whole_document(seal, trust_roots, pdfsig):
    signed = sign_pdf(sample_pdf(), seal)
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[pdf_name("/Rotate")] = generic.NumberObject(90)  # no signature policy allows this
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)

    [sig] = validate_pdf(out.getvalue(), trust_roots).signatures
    assert sig.intact and not sig.whole_document and not sig.ok
    assert not sig.modifications_allowed
    [independent] = pdfsig(out.getvalue())
    assert independent["coverage"] == "Not total document signed"
    assert independent["Signature Validation"] == "Signature is Valid."


def test_invisible_signature_on_classic_xref_pdf(seal, trust_roots, pdfsig):
    original = sample_pdf(xref_stream=False)
    signed = sign_pdf(original, seal, field_name="Sello")

    assert b"\ntrailer\n" in signed[len(original) :]  # the update keeps a classic xref table
    [sig] = validate_pdf(signed, trust_roots).signatures
    assert sig.field_name == "Sello" and sig.ok
    [embedded] = _embedded(signed)
    assert [float(v) for v in embedded.sig_field["/Rect"]] == [0, 0, 0, 0]
    assert pdfsig(signed)[0]["Signature Validation"] == "Signature is Valid."


def test_stamp_appearance_shows_signer_time_and_csv(person, stamp):
    custom = StampInfo(csv=stamp.csv, verify_url=stamp.verify_url, signer_label="Alcaldesa")
    signed = sign_pdf(sample_pdf(), person, stamp=custom)

    [embedded] = _embedded(signed)
    appearance = embedded.sig_field["/AP"]["/N"].data
    assert f"CSV: {stamp.csv}".encode() in appearance
    assert b"(Alcaldesa)" in appearance
    assert re.search(rb"Fecha: \d\d/\d\d/\d{4} \d\d:\d\d:\d\d CES?T", appearance)
    assert b" re\n" in appearance  # QR modules


def test_wrong_key_for_certificate_is_refused(seal, person):
    class Mismatched:
        certificate = seal.certificate
        chain = seal.chain
        sign = staticmethod(person.sign)

    with pytest.raises(SigningError, match="does not match its certificate"):
        sign_pdf(sample_pdf(), Mismatched())


@pytest.mark.parametrize(
    "data",
    [b"", b"hello world", b"%PDF-1.7\n%garbage without objects", sample_pdf()[:300]],
    ids=["empty", "text", "header-only", "truncated"],
)
def test_bad_input_raises_invalid_pdf(seal, trust_roots, data):
    with pytest.raises(InvalidPdfError):
        sign_pdf(data, seal)
    with pytest.raises(InvalidPdfError):
        validate_pdf(data, trust_roots)


def test_unsigned_pdf_has_empty_report(trust_roots):
    report = validate_pdf(sample_pdf(), trust_roots)
    assert report.signatures == [] and not report.all_ok


def test_untrusted_root_is_reported(seal, person):
    signed = sign_pdf(sample_pdf(), seal)
    [sig] = validate_pdf(signed, [person.certificate]).signatures  # not a CA of this chain
    assert sig.valid and not sig.trusted and not sig.ok and sig.trust_problem


def test_certified_document_forbidding_changes_is_refused(seal, pki, seal_nif):
    stock = signers.SimpleSigner.load_pkcs12(
        str(pki.seals[seal_nif].pkcs12), passphrase=pki.password
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Autor", certify=True, docmdp_permissions=MDPPerm.NO_CHANGES
    )
    certified = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(sample_pdf())), meta, signer=stock
    ).getvalue()
    with pytest.raises(SigningError, match="certified"):
        sign_pdf(certified, seal)


def test_after_a_stock_pyhanko_signature(seal, pki, seal_nif, trust_roots, pdfsig):
    stock = signers.SimpleSigner.load_pkcs12(
        str(pki.seals[seal_nif].pkcs12), passphrase=pki.password
    )
    meta = signers.PdfSignatureMetadata(field_name="Previa", subfilter=SigSeedSubFilter.PADES)
    first = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(sample_pdf())), meta, signer=stock
    ).getvalue()
    both = sign_pdf(first, seal)
    report = validate_pdf(both, trust_roots)
    assert [s.field_name for s in report.signatures] == ["Previa", "Firma2"] and report.all_ok
    assert [s["Signature Validation"] for s in pdfsig(both)] == ["Signature is Valid."] * 2


def test_encrypted_pdf_is_refused(seal):
    writer = pypdf.PdfWriter(clone_from=BytesIO(sample_pdf()))
    writer.encrypt("usuario", "propietario", algorithm="AES-256")
    out = BytesIO()
    writer.write(out)
    with pytest.raises(InvalidPdfError, match="encrypted"):
        sign_pdf(out.getvalue(), seal)


def test_backend_without_weak_references_still_signs(seal, trust_roots):
    class Slotted:
        __slots__ = ("certificate", "chain", "sign")

        def __init__(self) -> None:
            self.certificate, self.chain, self.sign = seal.certificate, seal.chain, seal.sign

    assert validate_pdf(sign_pdf(sample_pdf(), Slotted()), trust_roots).all_ok


def test_fills_a_prepared_empty_field_with_its_own_rect(seal, stamp, trust_roots, pdfsig):
    writer = IncrementalPdfFileWriter(BytesIO(sample_pdf()))
    append_signature_field(writer, SigFieldSpec("Alcaldía", box=(300, 50, 500, 110)))
    out = BytesIO()
    writer.write(out)
    prepared = out.getvalue()

    signed = sign_pdf(prepared, seal, stamp=stamp, field_name="Alcaldía")
    [embedded] = _embedded(signed)
    assert [float(v) for v in embedded.sig_field["/AP"]["/N"]["/BBox"]] == [0, 0, 200, 60]
    assert validate_pdf(signed, trust_roots).all_ok
    assert pdfsig(signed)[0]["Signature Validation"] == "Signature is Valid."
    with pytest.raises(SigningError, match="filled already"):
        sign_pdf(signed, seal, field_name="Alcaldía")
