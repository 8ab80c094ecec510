"""Browser journeys of an entity's administration and of its alcalde, with real clicks in
Chromium, the CSRF token as the pages send it and axe-core on every page (screenshots with
``CONCEJO_SCREENSHOTS``):

- the administrator adds a person, gives her a second role, adscribes her to a unit and
  configures who signs resoluciones, then sends one to sign;
- the alcalde logs in on a phone (390×844), lands on his portafirmas, opens the
  resolución waiting for him and signs it with the step-up code (a wrong one first); the
  signed PDF validates with pdfsig.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from typing import Any

import msgspec
import pyotp
import pytest

from core.calendar_app.services import load_year
from core.documents.services import read_content
from core.identity.services import ensure_user, grant_role, roles_in
from core.identity.tables import User
from core.signing.devpki import make_dev_pki
from core.signing.devsetup import pki_directory, provision_dev_pki
from core.signing.flows import pending_for
from core.tenancy.context import TenantContext, tenant_by_id
from core.tenancy.services import add_unit, set_plugin
from core.testing import enrol_totp, totp_now
from plugins.expedientes import busqueda, catalogo, resoluciones, services
from plugins.expedientes.schemas import EnvioFirma, ExpedienteIn, ProcedimientoIn, ResolucionIn
from plugins.expedientes.settings import settings_of
from tests.browser.browser_tools import check_accessibility
from tests.signing.signing_tools import pdfsig_runner

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


class Municipio(msgspec.Struct):
    tenant: TenantContext
    admin_email: str
    admin_totp: str
    alcalde_id: int
    alcalde_email: str
    alcalde_totp: str
    secretario_id: int
    expediente_id: int
    draft_id: int


@pytest.fixture
async def municipio(make_tenant: Any) -> Municipio:
    """An ayuntamiento with expedientes, its unit, an administrator, an alcalde and a
    secretario (with certificates and TOTP), and an expediente with a draft resolución."""
    tenant = await make_tenant(plugins=("registro", "expedientes"), community="CL")
    for year in (date.today().year, date.today().year + 1):
        await load_year(year, actor="test", community="CL", replace=False)
    await add_unit(tenant.id, tenant.dir3, "Secretaría general")
    suffix = uuid.uuid4().hex[:6]

    async def person(prefix: str, name: str, role: str) -> tuple[int, str]:
        email = f"{prefix}-{suffix}@test.invalid"
        user_id = await ensure_user(email, name, PASSWORD)
        await grant_role(user_id, tenant.id, role)
        return user_id, email

    admin_id, admin_email = await person("admin", "Adrián Administrador", "entity_admin")
    alcalde_id, alcalde_email = await person("alcalde", "Álvaro Alcalde", "firmante")
    secretario_id, _ = await person("secretario", "Sonia Secretaria", "secretario")
    await provision_dev_pki([tenant.slug])
    procedimiento = await catalogo.create(tenant, msgspec.convert(
        {"code": "licencia", "name": "Licencia de obra menor", "sia_code": "DEMO-001",
         "plazo": 3, "plazo_unit": "meses", "silencio": "estimatorio",
         "fases": [{"name": "Instrucción", "tareas": []}]}, ProcedimientoIn), actor="test")
    expediente = await services.open_expediente(tenant, ExpedienteIn(
        procedimiento_id=procedimiento.id, subject="Sustitución de ventanas en calle Real 12"),
        actor="test", user_id=None)
    draft = await resoluciones.draft(tenant, expediente.id, ResolucionIn(
        title="Decreto de concesión de licencia de obra menor",
        body="RESUELVO conceder la licencia solicitada (expediente de demostración "
             "con un identificador largo: ES_L01421736_2026_EXP_000000000000000000000001)."),
        actor="test")
    return Municipio(tenant=tenant, admin_email=admin_email,
                     admin_totp=await enrol_totp(admin_id), alcalde_id=alcalde_id,
                     alcalde_email=alcalde_email, alcalde_totp=await enrol_totp(alcalde_id),
                     secretario_id=secretario_id, expediente_id=expediente.id,
                     draft_id=draft.id)


@pytest.fixture(scope="session")
async def pdfsig(concejo_app: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    pki = await asyncio.to_thread(make_dev_pki, pki_directory(), [], [])
    return pdfsig_runner(pki.root_cert, tmp_path_factory.mktemp("journey-pdfsig"))


async def _log_in(page: Any, base: str, email: str, secret: str, next_: str = "") -> None:
    await page.goto(f"{base}/login" + (f"?next={next_}" if next_ else ""))
    await page.get_by_label("Correo electrónico").fill(email)
    await page.get_by_label("Contraseña").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url("**/login/code**")
    await page.get_by_label("Código de seis cifras").fill(totp_now(secret))
    await page.get_by_role("button", name="Verificar").click()


async def _nav(page: Any, label: str) -> None:
    await page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name=label).click()


async def test_the_administrator_adds_a_person_and_configures_the_signers(
        browser_context: Any, live_server: str, municipio: Municipio) -> None:
    slug = municipio.tenant.slug
    page = await (await browser_context()).new_page()
    await _log_in(page, live_server, municipio.admin_email, municipio.admin_totp, f"/{slug}/")
    await page.wait_for_url(f"**/{slug}/")
    await check_accessibility(page, "admin-01-escritorio")

    await _nav(page, "Usuarios")
    await page.wait_for_url(f"**/{slug}/admin/usuarios")
    await check_accessibility(page, "admin-02-usuarios")
    await page.get_by_label("Correo electrónico").fill("marta.registro")
    await page.get_by_label("Nombre y apellidos").fill("Marta Registro")
    await page.get_by_label("Rol").select_option(label="Tramitación")
    await page.get_by_role("button", name="Añadir").click()
    assert await page.get_by_role("alert").filter(has_text="«Correo electrónico»").is_visible()
    assert await page.get_by_label("Nombre y apellidos").input_value() == "Marta Registro"
    await check_accessibility(page, "admin-03-usuario-rechazado")
    email = f"marta-{slug}@test.invalid"
    await page.get_by_label("Correo electrónico").fill(email)
    await page.get_by_role("button", name="Añadir").click()
    await page.wait_for_url(f"**/{slug}/admin/usuarios/*")
    await check_accessibility(page, "admin-04-usuaria")
    await page.get_by_label("Dar otro rol").select_option(label="Personal de registro")
    await page.get_by_role("button", name="Dar el rol").click()
    await page.locator("li", has_text="Personal de registro").get_by_role(
        "button", name="Retirar este rol").wait_for()
    user = await User.select(User.id).where(User.email == email).first()
    assert await roles_in(user["id"], municipio.tenant.id) == {"tramitador", "registro"}

    await _nav(page, "Adscripciones")
    await page.wait_for_url(f"**/{slug}/expedientes/adscripciones")
    card = page.get_by_role("group", name=f"Marta Registro {email}")
    await card.get_by_role("checkbox", name="Secretaría general").check()
    await page.locator("li", has=card).get_by_role("button", name="Guardar").click()
    await page.wait_for_url(f"**/{slug}/expedientes/adscripciones")
    assert await page.get_by_role("group", name=f"Marta Registro {email}").get_by_role(
        "checkbox", name="Secretaría general").is_checked()
    await check_accessibility(page, "admin-05-adscripciones")
    assert await busqueda.units_of_user(municipio.tenant, user["id"]) == [
        municipio.tenant.dir3]

    await _nav(page, "Firmantes")
    await page.wait_for_url(f"**/{slug}/expedientes/firmantes")
    await page.get_by_label("Alcaldía (firma la resolución)").select_option(
        label="Álvaro Alcalde")
    await page.get_by_label("Secretaría (toma razón en el libro)").select_option(
        label="Álvaro Alcalde")
    await page.get_by_role("button", name="Guardar el circuito").click()
    assert await page.get_by_role("alert").filter(has_text="otra persona").is_visible()
    await check_accessibility(page, "admin-06-firmantes-rechazado")
    await page.get_by_label("Secretaría (toma razón en el libro)").select_option(
        label="Sonia Secretaria")
    await page.get_by_role("button", name="Guardar el circuito").click()
    await page.wait_for_url(f"**/{slug}/expedientes/firmantes")
    await check_accessibility(page, "admin-07-firmantes")
    tenant = await tenant_by_id(municipio.tenant.id)
    assert settings_of(tenant).alcalde == municipio.alcalde_email

    await page.goto(f"{live_server}/{slug}/expedientes/{municipio.expediente_id}")
    await page.get_by_role("button", name="Enviar a firma").click()
    await page.wait_for_url(f"**/{slug}/expedientes/{municipio.expediente_id}")
    assert (await resoluciones.get(tenant, municipio.draft_id)).state == "en_firma"
    [waiting] = await pending_for(tenant, municipio.alcalde_id)
    assert waiting.subject.startswith("Resolución: Decreto de concesión")


async def _fits(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


async def test_the_alcalde_signs_on_his_phone_with_the_step_up_code(
        browser_context: Any, live_server: str, municipio: Municipio, pdfsig: Any) -> None:
    tenant = await set_plugin(municipio.tenant, "expedientes", True, actor="test", settings={
        "alcalde": municipio.alcalde_email,
        "secretario": (await User.select(User.email).where(
            User.id == municipio.secretario_id).first())["email"]})
    sent = await resoluciones.send_to_sign(tenant, municipio.draft_id, EnvioFirma(),
                                           actor="test")
    slug = tenant.slug
    page = await (await browser_context(**PHONE)).new_page()
    await _log_in(page, live_server, municipio.alcalde_email, municipio.alcalde_totp)
    await page.wait_for_url(f"**/{slug}/firma/")  # his portafirmas, not the province list
    await _fits(page)
    await check_accessibility(page, "alcalde-01-portafirmas")
    header = await page.locator("header").bounding_box()
    assert header["height"] < 160, header
    await page.get_by_text("Menú").click()
    menu = page.get_by_role("navigation", name="Navegación principal")
    assert await menu.get_by_role("link", name="Portafirmas (1)").is_visible()
    await check_accessibility(page, "alcalde-02-menu")
    await page.get_by_text("Menú").click()

    await page.get_by_role("link", name="Resolución: Decreto de concesión").click()
    await page.wait_for_url(f"**/{slug}/firma/*")
    await _fits(page)
    await check_accessibility(page, "alcalde-03-resolucion")
    box = await page.get_by_role("checkbox").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    sign = page.get_by_role("button", name="Firmar", exact=True)
    assert (await sign.bounding_box())["height"] >= 24

    await page.get_by_role("checkbox").check()
    await page.get_by_label("Código de su aplicación de autenticación").fill("000000")
    await sign.click()
    assert await page.get_by_role("alert").filter(has_text="no es correcto").is_visible()
    await _fits(page)
    await check_accessibility(page, "alcalde-04-codigo-incorrecto")
    assert len(await pending_for(tenant, municipio.alcalde_id)) == 1

    # the login used this time step's code: the next step's is still valid (±1 step)
    code = pyotp.TOTP(municipio.alcalde_totp).at(time.time() + 30)
    await page.get_by_role("checkbox").check()
    await page.get_by_label("Código de su aplicación de autenticación").fill(code)
    await page.get_by_role("button", name="Firmar", exact=True).click()
    await page.wait_for_url(f"**/{slug}/firma/?hecho=firmado")
    await _fits(page)
    await check_accessibility(page, "alcalde-05-firmado")
    assert await pending_for(tenant, municipio.alcalde_id) == []

    _, content = await read_content(tenant, sent.document_id)
    [signature] = pdfsig(content)
    assert signature["Signature Validation"] == "Signature is Valid."
    assert signature["Certificate Validation"] == "Certificate is Trusted."
