"""Every upload of the staff pages, as a person makes it: Chromium logs in, chooses a real
file with the file input and submits the form, whose hidden ``_csrf_token`` travels inside
the multipart body (before, the CSRF middleware read that body and the upload hung).
axe-core checks each page."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from core.calendar_app.services import load_year
from core.identity.services import ensure_user, grant_role
from core.signing.samples import sample_pdf
from core.tenancy.services import add_unit
from plugins.expedientes import services
from plugins.expedientes.schemas import ExpedienteIn
from plugins.expedientes.tests.expedientes_tools import add_licencia
from tests.browser.browser_tools import check_accessibility

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
COMMUNITY = "PV"  # as the expedientes tests: one more comunidad would load for all
SECONDS = 20_000  # an upload that hangs fails here


@pytest.fixture
async def secretaria(browser_context, live_server, make_tenant, tmp_path):
    """An entity with expedientes and notificaciones, an expediente, and its secretaria
    logged in through the login page."""
    tenant = await make_tenant(plugins=("expedientes", "notificaciones"), community=COMMUNITY)
    for year in (date.today().year, date.today().year + 1):  # the plazos need it
        await load_year(year, actor="test", community=COMMUNITY)
    await add_unit(tenant.id, tenant.dir3, tenant.name)
    licencia = await add_licencia(tenant)
    expediente = await services.open_expediente(tenant, ExpedienteIn(
        procedimiento_id=licencia.id, subject="Obra menor en calle Real"), actor="t",
        user_id=None)
    email = f"secretaria-{uuid.uuid4().hex[:8]}@ayto.example"
    await grant_role(await ensure_user(email, "Sara Secretaria", PASSWORD), tenant.id,
                     "secretario")
    page = await (await browser_context()).new_page()
    page.set_default_timeout(SECONDS)
    await page.goto(f"{live_server}/login?next=/{tenant.slug}/")
    await page.get_by_label("Correo electrónico").fill(email)
    await page.get_by_label("Contraseña").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url(f"**/{tenant.slug}/")
    return page, f"{live_server}/{tenant.slug}", expediente, tmp_path


def _file(folder: Path, name: str, content: bytes) -> str:
    path = folder / name
    path.write_bytes(content)
    return str(path)


async def _submit(page, button: str, landing: str, shown: str, shot: str) -> None:
    """Submit the form, land on the created thing's page and find it there."""
    await page.get_by_role("button", name=button).click()
    await page.wait_for_url(landing)
    assert await page.get_by_text(shown).first.is_visible()
    await check_accessibility(page, f"{shot}-done")


async def test_a_document_is_added_to_an_expediente(secretaria):
    page, base, expediente, files = secretaria
    await page.goto(f"{base}/expedientes/{expediente.id}")
    await page.get_by_text("Incorporar un fichero").click()
    await check_accessibility(page, "upload-expediente")
    form = page.locator("form").filter(has=page.get_by_label("Fichero"))
    await form.get_by_label("Título").fill("Plano de la obra")
    await form.get_by_label("Tipo documental").select_option(label="Informe")
    await form.get_by_label("Fichero").set_input_files(
        _file(files, "plano.pdf", sample_pdf("Plano de la obra")))
    await form.get_by_role("button", name="Incorporar").click()
    await page.wait_for_url(f"**/expedientes/{expediente.id}")
    row = page.get_by_role("row").filter(has_text="Plano de la obra")
    assert await row.get_by_role("cell", name="Informe").is_visible()
    await check_accessibility(page, "upload-expediente-done")


async def test_a_document_is_uploaded_to_the_documents_page(secretaria):
    page, base, _, files = secretaria
    await page.goto(f"{base}/documentos/")
    await page.get_by_text("Subir un documento").click()
    await check_accessibility(page, "upload-documentos")
    await page.get_by_label("Título").fill("Acta de la sesión")
    await page.get_by_label("Tipo documental").select_option(label="Acta")
    await page.get_by_label("Fichero").set_input_files(
        _file(files, "acta.pdf", sample_pdf("Acta de la sesión")))
    await _submit(page, "Subir", "**/documentos/*", "Acta de la sesión", "upload-documentos")


async def test_a_signed_pdf_is_validated(secretaria):
    page, base, _, files = secretaria
    await page.goto(f"{base}/firma/validar")
    await check_accessibility(page, "upload-firma-validar")
    await page.get_by_label("Documento PDF firmado").set_input_files(
        _file(files, "sin-firma.pdf", sample_pdf("Sin firmar")))
    await page.get_by_role("button", name="Validar").click()
    await page.get_by_role("heading", level=1).wait_for()
    assert "validar" in page.url
    assert await page.get_by_text("sin-firma.pdf").count() + await page.get_by_role(
        "alert").count() + await page.locator("dl").count() > 0  # a report or a refusal
    await check_accessibility(page, "upload-firma-validar-done")


async def test_a_remesa_is_started_from_a_csv(secretaria):
    page, base, _, files = secretaria
    await page.goto(f"{base}/notificaciones/remesas")
    await check_accessibility(page, "upload-remesa")
    await page.get_by_label("Asunto").fill("Tasa de basuras 2027")
    await page.get_by_label("Texto íntegro del acto").fill("Se aprueba el padrón de la tasa.")
    await page.get_by_label("Recursos que proceden").fill("Reposición")
    await page.get_by_label("Órgano ante el que se interponen").fill("Alcaldía")
    await page.get_by_label("Plazo para interponerlos").fill("Un mes")
    await page.get_by_label("Fichero CSV").set_input_files(_file(
        files, "padron.csv", "12345678Z;Lucía Martín Gómez;lucia@example.org;;\n".encode()))
    await _submit(page, "Iniciar la remesa", "**/remesas/*", "Tasa de basuras 2027",
                  "upload-remesa")


async def test_a_package_that_is_not_eni_is_refused_on_the_page(secretaria):
    page, base, _, files = secretaria
    await page.goto(f"{base}/expedientes/importar")
    await check_accessibility(page, "upload-eni")
    await page.get_by_label("Asunto").fill("Expediente remitido")
    await page.get_by_label("Paquete ENI (ZIP)").set_input_files(
        _file(files, "paquete.zip", b"PK\x05\x06" + b"\0" * 18))  # an empty ZIP
    await page.get_by_role("button", name="Recibir").click()
    await page.get_by_role("heading", level=1).wait_for()
    assert await page.get_by_text("ENI", exact=False).first.is_visible()
    await check_accessibility(page, "upload-eni-refused")
