"""The staff pages beyond the lists: documents, resoluciones, closing and remisión from the
expediente view, the libro, ENI reception, and the registry inbox in the bandeja."""

from __future__ import annotations

import io
import zipfile

from expedientes_tools import add_licencia, sign_pending

from core.signing.samples import sample_pdf
from core.tenancy.services import add_unit
from core.testing import csrf_headers
from plugins.expedientes import documentos, resoluciones, services
from plugins.registro import services as registro
from plugins.registro.schemas import AsientoIn, InteresadoIn

HTML = {"accept": "text/html"}


async def test_the_expediente_page_drives_documents_resoluciones_and_closing(
        sealed_entidad, staff, drain):
    tenant, alcalde, secretario = await sealed_entidad(plugins=("registro", "expedientes"))
    await add_unit(tenant.id, tenant.dir3, tenant.name)
    await add_unit(tenant.id, "O" + tenant.dir3[1:], "Oficina de registro", is_office=True)
    licencia = await add_licencia(tenant)
    client, user_id = await staff(tenant, "secretario")
    headers = {**HTML, **await csrf_headers(client)}
    base = f"/{tenant.slug}/expedientes"

    await services.set_adscripciones(tenant, user_id, [tenant.dir3], actor="t")
    entrada = await registro.register(tenant, AsientoIn(
        extracto="Solicitud de licencia de obra menor", unidad_destino=tenant.dir3,
        interesados=[InteresadoIn(document="12345678Z", name="Ana", first_surname="Pérez")]),
        channel="presencial", actor="t")
    bandeja = await client.get(f"{base}/", headers=HTML)
    assert entrada.numero in bandeja.text
    opened = await client.post(f"{base}/registro/{entrada.id}/expediente", headers=headers,
                               data={"procedimiento_id": str(licencia.id)})
    assert opened.status_code in (302, 303), opened.text
    page = opened.headers["location"]
    expediente_id = int(page.rsplit("/", 1)[1])

    uploaded = await client.post(f"{page}/documentos", headers=headers,
                                 data={"title": "Plano de la obra", "tipo_documental": "TD99"},
                                 files={"fichero": ("plano.pdf", sample_pdf("Plano"),
                                                    "application/pdf")})
    assert uploaded.status_code in (302, 303), uploaded.text
    plantilla = next(p.id for p in licencia.plantillas if p.code == "requerimiento")
    generated = await client.post(f"{page}/documentos/plantilla", headers=headers,
                                  data={"plantilla_id": str(plantilla)})
    assert generated.status_code in (302, 303), generated.text
    drafted = await client.post(f"{page}/resoluciones", headers=headers,
                                data={"plantilla_id": "", "title": "Decreto de concesión",
                                      "body": "RESUELVO conceder la licencia."})
    assert drafted.status_code in (302, 303), drafted.text
    [draft] = await resoluciones.of_expediente(tenant, expediente_id)
    view = await client.get(page, headers=HTML)
    for text in ("Plano de la obra", "Requerimiento de subsanación", "Decreto de concesión",
                 "Enviar a firma", "Cerrar el expediente"):
        assert text in view.text, text
    sent = await client.post(f"{base}/resoluciones/{draft.id}/firma", headers=headers)
    assert sent.status_code in (302, 303), sent.text
    await sign_pending(tenant, alcalde)
    await sign_pending(tenant, secretario)
    await drain()
    libro = await client.get(f"{base}/libro", headers=HTML)
    assert "Decreto de concesión" in libro.text
    year = (await resoluciones.get(tenant, draft.id)).numero[:4]
    sealed = await client.post(f"{base}/libro/{year}/pdf", headers=headers)
    assert sealed.status_code == 200 and sealed.content.startswith(b"%PDF")

    closed = await client.post(f"{page}/cierre", headers=headers)
    assert closed.status_code in (302, 303), closed.text
    view = await client.get(page, headers=HTML)
    assert "Remitir en formato ENI" in view.text and "Cerrar el expediente" not in view.text
    remitted = await client.post(f"{page}/remision", headers=headers)
    assert remitted.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(remitted.content)) as archive:
        assert len(archive.namelist()) == 1 + len(
            await documentos.list_documents(tenant, expediente_id))
    refused = await client.post(f"{page}/documentos", headers=headers,
                                data={"title": "Tarde"},
                                files={"fichero": ("tarde.pdf", sample_pdf("T"),
                                                   "application/pdf")})
    assert refused.status_code == 422 and "cerrado" in refused.text
    assert (await client.get(f"{base}/importar", headers=HTML)).status_code == 200
