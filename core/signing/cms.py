"""CMS SignedData built from precomputed DER pieces: one template per signing certificate.

pyHanko rebuilds the whole CMS structure with asn1crypto for every signature (and once more
in a dry run to size it). The structure of a CAdES/PAdES signature by a given key never
changes except for a few values, so ``CmsTemplate`` encodes everything constant once (the
certificates, the signer identifier, the algorithm identifiers, the signed attributes around
the message digest) and each signature only splices in the digest, the signature value and,
for B-T, the time-stamp token, wrapping them with hand-written DER length headers.

Signed attributes (ETSI EN 319 122-1 B-B): content-type, message-digest and
signing-certificate-v2; no signing-time (PAdES puts the claimed time in ``/M``). The same
builder signs RFC 3161 TSTInfo for the test TSA (encapsulated content, version 3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509

DIGEST_SIZE = 32  # SHA-256

_SHA256 = algos.DigestAlgorithm({"algorithm": "sha256"}).dump()
_RSA = algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}).dump()
_SIGNED_DATA_OID = core.ObjectIdentifier("1.2.840.113549.1.7.2").dump()
_TST_TOKEN_OID = core.ObjectIdentifier("1.2.840.113549.1.9.16.2.14").dump()


def der_length(length: int) -> bytes:
    """DER encoding of a length octet count."""
    if length < 0x80:
        return bytes((length,))
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element: tag, length, content."""
    return bytes((tag,)) + der_length(len(content)) + content


def _attribute(name: str, value: core.Asn1Value) -> bytes:
    return cms.CMSAttribute({"type": name, "values": [value]}).dump()


def _signing_certificate_v2(certificate: asn1_x509.Certificate) -> tsp.SigningCertificateV2:
    # ESSCertIDv2 with the DEFAULT hash algorithm (SHA-256) left out, as DER requires
    issuer = asn1_x509.GeneralNames([asn1_x509.GeneralName({"directory_name": certificate.issuer})])
    return tsp.SigningCertificateV2(
        {
            "certs": [
                {
                    "cert_hash": hashlib.sha256(certificate.dump()).digest(),
                    "issuer_serial": {"issuer": issuer, "serial_number": certificate.serial_number},
                }
            ]
        }
    )


class CmsTemplate:
    """Precomputed CMS SignedData pieces for one RSA signing certificate.

    ``content_type`` is ``"data"`` for detached document signatures and ``"tst_info"`` for
    time-stamp tokens (the TSTInfo is then encapsulated).
    """

    def __init__(
        self,
        certificate: asn1_x509.Certificate,
        chain: Sequence[asn1_x509.Certificate] = (),
        content_type: str = "data",
    ) -> None:
        if certificate.public_key.algorithm != "rsa":
            raise ValueError("CmsTemplate supports RSA signing certificates only")
        self.signature_size = (certificate.public_key.bit_size + 7) // 8
        self._encapsulated = content_type != "data"
        self._content_type_oid = cms.ContentType(content_type).dump()
        digest_attr_prefix = _attribute("message_digest", core.OctetString(bytes(DIGEST_SIZE)))
        digest_attr_prefix = digest_attr_prefix[:-DIGEST_SIZE]
        fixed = [
            _attribute("content_type", cms.ContentType(content_type)),
            _attribute("signing_certificate_v2", _signing_certificate_v2(certificate)),
        ]
        # DER orders SET OF by encoding; the two leading octets (tag, length) already differ,
        # so the position of the digest attribute does not depend on the digest value.
        keys = [a[:2] for a in [*fixed, digest_attr_prefix]]
        if len(set(keys)) != len(keys):
            raise ValueError("ambiguous signed attribute order")
        before = b"".join(a for a in sorted(fixed) if a[:2] < digest_attr_prefix[:2])
        after = b"".join(a for a in sorted(fixed) if a[:2] > digest_attr_prefix[:2])
        self._attrs_head = before + digest_attr_prefix
        self._attrs_tail = after
        self._attrs_length = len(before) + len(digest_attr_prefix) + DIGEST_SIZE + len(after)

        sid = cms.IssuerAndSerialNumber(
            {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
        ).dump()
        self._signer_info_head = b"\x02\x01\x01" + sid + _SHA256
        certs = b"".join(sorted(c.dump() for c in [certificate, *chain]))  # DER SET OF order
        version = b"\x02\x01\x03" if self._encapsulated else b"\x02\x01\x01"
        self._signed_data_head = version + tlv(0x31, _SHA256)
        self._certificates = tlv(0xA0, certs)

    def signed_attributes(self, message_digest: bytes) -> bytes:
        """DER of the signed attributes (a SET, as signed) for a SHA-256 ``message_digest``."""
        if len(message_digest) != DIGEST_SIZE:
            raise ValueError("message digest must be a SHA-256 value")
        content = self._attrs_head + message_digest + self._attrs_tail
        return b"\x31" + der_length(self._attrs_length) + content

    def signed_data(
        self,
        signed_attributes: bytes,
        signature: bytes,
        timestamp_token: bytes | None = None,
        content: bytes | None = None,
    ) -> bytes:
        """The ContentInfo DER: ``signed_attributes`` as returned above, the raw signature,
        an optional RFC 3161 token (unsigned attribute) and, for encapsulating templates,
        the content."""
        signer_info = (
            self._signer_info_head
            + b"\xa0"
            + signed_attributes[1:]  # SET re-tagged [0] IMPLICIT
            + _RSA
            + tlv(0x04, signature)
        )
        if timestamp_token is not None:
            attribute = tlv(0x30, _TST_TOKEN_OID + tlv(0x31, timestamp_token))
            signer_info += tlv(0xA1, attribute)
        encap = self._content_type_oid
        if self._encapsulated:
            if content is None:
                raise ValueError("this template encapsulates content: pass content=")
            encap += tlv(0xA0, tlv(0x04, content))
        body = (
            self._signed_data_head
            + tlv(0x30, encap)
            + self._certificates
            + tlv(0x31, tlv(0x30, signer_info))
        )
        return tlv(0x30, _SIGNED_DATA_OID + tlv(0xA0, tlv(0x30, body)))

    def max_size(self, timestamp_token_size: int = 0) -> int:
        """Upper bound of ``len(signed_data(...))`` for a detached signature."""
        attrs = self.signed_attributes(bytes(DIGEST_SIZE))
        token = bytes(timestamp_token_size) if timestamp_token_size else None
        return len(self.signed_data(attrs, bytes(self.signature_size), token))
