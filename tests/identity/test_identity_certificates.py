"""X.509 client certificates from the reverse proxy: only from trusted proxy addresses,
valid and from an accepted CA; DNIe and FNMT subjects give the NIF; a representative's
certificate gives the company and records the representation."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from stdnum.es import cif

from core.audit.tables import AuditEntry
from core.identity.providers.certificate import (
    ORGANIZATION_IDENTIFIER,
    CertificateProvider,
    identity_from_certificate,
)
from core.identity.settings import CertificateSettings
from core.identity.tables import Representation, Session

PROXY = "10.9.8.7"
COMPANY = "B1234567" + cif.calc_check_digits("B1234567")[0]


def _name(**attributes: str) -> x509.Name:
    oids = {"C": NameOID.COUNTRY_NAME, "CN": NameOID.COMMON_NAME, "SN": NameOID.SURNAME,
            "GN": NameOID.GIVEN_NAME, "serialNumber": NameOID.SERIAL_NUMBER,
            "O": NameOID.ORGANIZATION_NAME, "orgId": ORGANIZATION_IDENTIFIER}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in attributes.items()])


def issue(subject: x509.Name, issuer_key, issuer_name: x509.Name, *, days=(-1, 365),
          ca=False) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + timedelta(days=days[0]))
               .not_valid_after(now + timedelta(days=days[1]))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return builder.sign(issuer_key or key, hashes.SHA256()), key


class Pki:
    def __init__(self) -> None:
        name = _name(C="ES", O="FNMT-RCM (prueba)", CN="AC Usuarios (prueba)")
        self.ca, self.ca_key = issue(name, None, name, ca=True)

    def person(self, serial="IDCES-12345678Z", days=(-1, 365), **extra: str) -> x509.Certificate:
        subject = _name(C="ES", serialNumber=serial, SN="ESPAÑOL ESPAÑOL", GN="JUAN",
                        CN=f"ESPAÑOL ESPAÑOL JUAN - {serial[-9:]}", **extra)
        return issue(subject, self.ca_key, self.ca.subject, days=days)[0]


def header(cert: x509.Certificate) -> dict[str, str]:
    """As nginx passes it: ``$ssl_client_escaped_cert``."""
    return {"x-ssl-client-cert": quote(cert.public_bytes(serialization.Encoding.PEM).decode())}


@pytest.fixture
def pki(tmp_path, concejo_kernel, monkeypatch) -> Pki:
    pki = Pki()
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(pki.ca.public_bytes(serialization.Encoding.PEM))
    provider = CertificateProvider(CertificateSettings(trusted_proxies=["10.9.8.0/24"],
                                                       ca_files=[str(ca_file)]))
    monkeypatch.setitem(concejo_kernel.identity_providers, "certificado", provider)
    return pki


def test_subjects_of_dnie_and_fnmt_give_the_nif():
    pki = Pki()
    fnmt = identity_from_certificate(pki.person())
    assert (fnmt.nif, fnmt.name, fnmt.company_nif) == ("12345678Z", "JUAN ESPAÑOL ESPAÑOL", "")
    dnie_subject = _name(C="ES", serialNumber="12345678Z",
                         CN="ESPAÑOL ESPAÑOL, JUAN (AUTENTICACIÓN)")
    dnie = identity_from_certificate(issue(dnie_subject, pki.ca_key, pki.ca.subject)[0])
    assert (dnie.nif, dnie.name) == ("12345678Z", "ESPAÑOL ESPAÑOL, JUAN")
    rep = identity_from_certificate(pki.person(orgId=f"VATES-{COMPANY}", O="OBRAS SL"))
    assert (rep.company_nif, rep.company_name) == (COMPANY, "OBRAS SL")


async def login(http, tenant, cert=None):
    return await http.get("/login/with/certificado", params={"next": f"/sede/{tenant.slug}/"},
                          headers={"accept": "text/html", **(header(cert) if cert else {})})


async def test_a_certificate_through_the_trusted_proxy_logs_the_citizen_in(
        client_at, make_tenant, pki):
    tenant = await make_tenant()
    http = client_at(PROXY)
    done = await login(http, tenant, pki.person())
    assert done.status_code in (302, 303) and done.headers["location"] == f"/sede/{tenant.slug}/"
    session = await Session.select().order_by(Session.id, ascending=False).first()
    assert (session["kind"], session["nif"], session["provider"]) == (
        "citizen", "12345678Z", "certificado")
    page = await http.get(f"/sede/{tenant.slug}/representacion")
    assert "12345678Z" in page.text
    logins = await AuditEntry.select(AuditEntry.actor, AuditEntry.ip).where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "login.citizen"))
    assert logins == [{"actor": "12345678Z", "ip": PROXY}]


async def test_a_representative_acts_for_the_company_and_it_is_recorded(
        client_at, make_tenant, pki):
    tenant = await make_tenant()
    http = client_at(PROXY)
    cert = pki.person(orgId=f"VATES-{COMPANY}", O="OBRAS Y CAMINOS SL")
    assert (await login(http, tenant, cert)).status_code in (302, 303)
    page = await http.get(f"/sede/{tenant.slug}/representacion")
    assert f"OBRAS Y CAMINOS SL ({COMPANY})" in page.text
    [row] = await Representation.select().where(Representation.tenant == tenant.id)
    assert (row["representative_nif"], row["represented_nif"], row["source"]) == (
        "12345678Z", COMPANY, "certificado")


@pytest.mark.parametrize(("address", "make", "message"), [
    ("192.0.2.1", lambda pki: pki.person(), "no está disponible por esta vía"),
    (PROXY, lambda pki: None, "ningún certificado"),
    (PROXY, lambda pki: pki.person(days=(-400, -1)), "caducado"),
    (PROXY, lambda pki: Pki().person(), "no lo emite una autoridad admitida"),
    (PROXY, lambda pki: pki.person(serial="IDCES-12345678A"), "NIF o NIE válido"),
])
async def test_certificates_that_do_not_count(client_at, make_tenant, pki, address, make,
                                              message):
    tenant = await make_tenant()
    before = await Session.count()
    response = await login(client_at(address), tenant, make(pki))
    assert response.status_code == 401 and message in response.text
    assert await Session.count() == before
