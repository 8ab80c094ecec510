"""The precomputed CMS template produces canonical DER equal to what asn1crypto would build."""

from __future__ import annotations

import datetime as dt
import hashlib

from asn1crypto import cms, core, tsp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import load_der_public_key
from hypothesis import given
from hypothesis import strategies as st

from core.signing.cms import CmsTemplate, der_length, tlv


@given(st.binary(max_size=70_000))
def test_tlv_matches_asn1crypto(content):
    assert tlv(0x04, content) == core.OctetString(content).dump()
    assert der_length(len(content)) == core.OctetString(content).dump()[1 : -len(content) or None]


def _parsed(template: CmsTemplate, signer, token: bytes | None = None):
    digest = hashlib.sha256(b"document").digest()
    attrs = template.signed_attributes(digest)
    der = template.signed_data(attrs, signer.sign(attrs), token)
    return digest, attrs, der, cms.ContentInfo.load(der)


def test_signed_data_is_canonical_der_with_the_cades_attributes(seal):
    template = CmsTemplate(seal.certificate, seal.chain)
    digest, attrs, der, info = _parsed(template, seal)

    assert info.dump(force=True) == der  # re-encoding changes nothing: DER, sorted SET
    assert len(der) == template.max_size()
    signed = info["content"]
    assert signed["version"].native == "v1"
    assert signed["encap_content_info"]["content"].native is None  # detached
    embedded = {c.chosen.dump() for c in signed["certificates"]}
    assert embedded == {seal.certificate.dump(), *(c.dump() for c in seal.chain)}
    [signer_info] = signed["signer_infos"]
    values = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
    assert set(values) == {"content_type", "message_digest", "signing_certificate_v2"}
    assert values["content_type"].native == "data"
    assert values["message_digest"].native == digest
    [cert_id] = values["signing_certificate_v2"]["certs"]
    assert cert_id["cert_hash"].native == hashlib.sha256(seal.certificate.dump()).digest()
    assert cert_id["issuer_serial"]["serial_number"].native == seal.certificate.serial_number
    sid = signer_info["sid"].chosen
    assert sid["serial_number"].native == seal.certificate.serial_number

    public_key = load_der_public_key(seal.certificate.public_key.dump())
    public_key.verify(
        signer_info["signature"].native,
        signer_info["signed_attrs"].untag().dump(force=True),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert signer_info["signed_attrs"].untag().dump(force=True) == attrs


def test_unsigned_timestamp_attribute_and_size_bound(seal, tsa):
    template = CmsTemplate(seal.certificate, seal.chain)
    token = tsa.timestamp_token(hashlib.sha256(b"signature").digest())
    _, _, der, info = _parsed(template, seal, token)

    assert len(der) == template.max_size(len(token))
    [signer_info] = info["content"]["signer_infos"]
    [attribute] = signer_info["unsigned_attrs"]
    assert attribute["type"].native == "signature_time_stamp_token"
    assert attribute["values"][0].dump() == token


def test_encapsulating_template_for_tst_info(pki):
    from core.signing.devpki import load_asn1_certificate

    tsa_cert = load_asn1_certificate(pki.tsa_cert)
    template = CmsTemplate(tsa_cert, content_type="tst_info")
    tst_info = tsp.TSTInfo(
        {
            "version": "v1",
            "policy": "2.25.1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": bytes(32),
            },
            "serial_number": 7,
            "gen_time": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        }
    ).dump()
    attrs = template.signed_attributes(hashlib.sha256(tst_info).digest())
    der = template.signed_data(attrs, bytes(template.signature_size), content=tst_info)
    signed = cms.ContentInfo.load(der)["content"]
    assert signed["version"].native == "v3"
    encap = signed["encap_content_info"]
    assert encap["content_type"].native == "tst_info"
    assert encap["content"].parsed["serial_number"].native == 7
    [signer_info] = signed["signer_infos"]
    content_type = signer_info["signed_attrs"][0]["values"][0].native
    assert content_type == "tst_info"
