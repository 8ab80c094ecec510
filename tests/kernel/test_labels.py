"""What pages show for stored codes (``core.web.labels``) and for an empty msgid."""

from __future__ import annotations

from core.web import i18n, labels


def test_an_empty_msgid_is_not_the_po_header():
    for lang in i18n.SUPPORTED:
        i18n.set_language(lang)
        assert i18n.gettext("") == ""
    i18n.set_language("es")


def test_codes_in_words_in_each_language(concejo_app):  # the app installs the catalogs
    i18n.set_language("es")
    assert labels.tipo_documental("TD09") == "Acuse de recibo"
    assert labels.plazo(1, "meses") == "1 mes" and labels.plazo(3, "meses") == "3 meses"
    assert labels.plazo(10, "dias_habiles") == "10 días hábiles"
    assert labels.paso_firma("pending") == "pendiente"
    assert labels.details({"channel": "electronica", "expires_on": "2026-12-18", "to": ""}) == (
        "Canal: Electrónica · Disponible hasta: 18/12/26")
    i18n.set_language("ca")
    assert labels.plazo(1, "meses") == "1 mes" and labels.plazo(2, "meses") == "2 mesos"
    assert labels.tipo_documental("TD09") == "Justificant de recepció"
    assert labels.status_title(404) == "No es troba la pàgina"
    i18n.set_language("es")


async def test_an_error_page_is_in_the_page_language(client):
    missing = await client.get("/no-existe/ni-esto", headers={"accept": "text/html"})
    assert missing.status_code == 404
    assert "No se encuentra la página" in missing.text and "Not Found" not in missing.text


async def test_a_document_page_names_its_tipo_and_organo(client, make_tenant, login):
    from core.signing.samples import sample_pdf
    from core.tenancy.services import add_unit
    from core.testing import csrf_headers

    tenant = await make_tenant()
    await add_unit(tenant.id, tenant.dir3, "Secretaría general")
    await login(client, tenant, "secretario")
    created = await client.post(f"/{tenant.slug}/documentos/",
                                headers=await csrf_headers(client),
                                data={"title": "Acta", "tipo_documental": "TD10"},
                                files={"fichero": ("acta.pdf", sample_pdf(), "application/pdf")})
    detail = await client.get(created.headers["location"], headers={"accept": "text/html"})
    assert f"Secretaría general ({tenant.dir3})" in detail.text
    assert "<dd>Acta</dd>" in detail.text and "TD10" not in detail.text
