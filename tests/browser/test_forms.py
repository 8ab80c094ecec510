"""Refused forms in a real Chromium: the error summary takes the focus, every wrong input
says so (aria-invalid, aria-describedby to its message), the files chosen are named to be
chosen again, the NIF look-up keeps what was typed and says when the NIF is unknown; and
the sede's forms are laid out legibly (each label right above its input, one time slot per
cell with its time as the label). axe-core on every page."""

from __future__ import annotations

import itertools
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from core.identity.citizens import open_citizen_session
from core.identity.providers import ExternalIdentity
from core.identity.services import ensure_user, grant_role
from core.identity.sessions import SESSION_COOKIE
from core.signing.samples import sample_pdf
from core.tenancy.services import add_unit
from plugins.cita_previa.tests.helpers import setup_entity
from plugins.expedientes.tests.expedientes_tools import add_licencia
from tests.browser.browser_tools import check_accessibility

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
SUS_DATOS = ("nombre", "apellido1", "apellido2", "email", "telefono", "direccion",
             "codigo_postal", "extracto", "expone", "solicita", "anexos")


async def _registro_entity(make_tenant: Any, plugins: tuple[str, ...] = ("registro",)) -> Any:
    tenant = await make_tenant(plugins=plugins)
    await add_unit(tenant.id, tenant.dir3, tenant.name)
    await add_unit(tenant.id, "O" + uuid.uuid4().hex[:8].upper(), "Oficina de registro",
                   is_office=True)
    await add_unit(tenant.id, "A" + uuid.uuid4().hex[:8].upper(), "Urbanismo")
    return tenant


def _scan(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(sample_pdf("Escrito escaneado"))
    return path


async def _citizen_page(browser_context, live_server: str, tenant, name: str):
    """A page of a browser whose citizen (NIF 12345678Z) came back from Cl@ve."""
    token = await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif="12345678Z", name=name),
        "127.0.0.1", tenant.id)
    context = await browser_context()
    await context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])
    return await context.new_page()


async def test_a_refused_instancia_focuses_the_summary_and_names_each_field(
        browser_context, live_server, make_tenant, tmp_path):
    tenant = await _registro_entity(make_tenant)
    page = await _citizen_page(browser_context, live_server, tenant, "María José Ruiz Gil")
    await page.goto(f"{live_server}/sede/{tenant.slug}/registro/instancia")
    await check_accessibility(page, "instancia-general")
    for field in SUS_DATOS:  # each label right above its own input, left-aligned with it
        label = await page.locator(f'label[for="{field}"]').bounding_box()
        control = await page.locator(f"#{field}").bounding_box()
        assert label["y"] + label["height"] <= control["y"] + 1, field
        assert abs(label["x"] - control["x"]) < 4, field
    await page.get_by_label("Asunto").fill("Poda de un árbol")
    await page.get_by_label("Expone").fill(" ")
    await page.get_by_label("Solicita").fill(" ")
    await page.get_by_label("Documentos").set_input_files(_scan(tmp_path, "nota.pdf"))
    await page.get_by_role("button", name="Presentar").click()
    summary = page.locator("#error-summary")
    await summary.wait_for()
    assert await page.evaluate("document.activeElement.id") == "error-summary"
    assert "hay 2 errores" in await summary.inner_text()
    assert await summary.get_by_role("link", name=re.compile("Expone")).get_attribute(
        "href") == "#expone"
    for field, said in (("expone", "«Expone» es obligatorio"),
                        ("solicita", "«Solicita» es obligatorio")):
        control = page.locator(f"#{field}")
        assert await control.get_attribute("aria-invalid") == "true"
        message = await control.get_attribute("aria-describedby")
        assert said in await page.locator(f"#{message}").inner_text()
    files = page.locator("#anexos")
    assert await files.get_attribute("aria-describedby") == "anexos-notice"
    assert "Vuelva a elegir el fichero: nota.pdf" in await page.locator(
        "#anexos-notice").inner_text()
    assert await page.get_by_label("Asunto").input_value() == "Poda de un árbol"
    await check_accessibility(page, "instancia-general-rechazada")
    await page.get_by_label("Expone").fill("Que el árbol de mi calle toca el tendido.")
    await page.get_by_label("Solicita").fill("Su poda.")
    await files.set_input_files(_scan(tmp_path, "nota.pdf"))
    await page.get_by_role("button", name="Presentar").click()
    await page.wait_for_url("**/registro/justificantes/**")
    await check_accessibility(page, "instancia-general-justificante")


async def test_a_refused_solicitud_of_a_procedure_keeps_what_was_typed(
        browser_context, live_server, make_tenant, tmp_path):
    tenant = await _registro_entity(make_tenant, ("registro", "expedientes"))
    licencia = await add_licencia(tenant)
    page = await _citizen_page(browser_context, live_server, tenant, "Ana Pérez Gil")
    await page.goto(f"{live_server}/sede/{tenant.slug}/expedientes/{licencia.id}/solicitud")
    await check_accessibility(page, "solicitud-procedimiento")
    await page.get_by_label("Primer apellido").fill(" ")
    await page.get_by_label("Asunto").fill("ab ")  # the browser's minlength lets it go
    await page.get_by_label("Expone").fill("Que es propietaria.")
    await page.get_by_label("Solicita").fill("   ")
    await page.get_by_label("Documentos").set_input_files(_scan(tmp_path, "presupuesto.pdf"))
    await page.get_by_role("button", name="Presentar la solicitud").click()
    summary = page.locator("#error-summary")
    await summary.wait_for()
    assert await page.evaluate("document.activeElement.id") == "error-summary"
    assert "hay 3 errores" in await summary.inner_text()
    for field in ("first_surname", "asunto", "solicita"):
        control = page.locator(f"#{field}")
        assert await control.get_attribute("aria-invalid") == "true", field
        message = await control.get_attribute("aria-describedby")
        assert await page.locator(f"#{message}").inner_text(), field
    assert await page.get_by_label("Nombre").input_value() == "Ana"
    assert await page.get_by_label("Expone").input_value() == "Que es propietaria."
    assert await page.get_by_label("Asunto").input_value() == "ab "
    assert "Vuelva a elegir el fichero: presupuesto.pdf" in await page.locator(
        "#anexos-notice").inner_text()
    await check_accessibility(page, "solicitud-procedimiento-rechazada")
    await page.get_by_label("Primer apellido").fill("Pérez")
    await page.get_by_label("Asunto").fill("Cambio de ventanas")
    await page.get_by_label("Solicita").fill("Licencia de obra menor.")
    await page.get_by_role("button", name="Presentar la solicitud").click()
    await page.get_by_text("Número de registro").wait_for()


async def test_the_nif_look_up_keeps_what_was_typed_and_says_it_is_unknown(
        browser_context, live_server, make_tenant, tmp_path):
    tenant = await _registro_entity(make_tenant)
    email = f"registro-{uuid.uuid4().hex[:8]}@ayto.example"
    await grant_role(await ensure_user(email, "Rosa Registro", PASSWORD), tenant.id,
                     "registro")
    page = await (await browser_context()).new_page()
    await page.goto(f"{live_server}/login?next=/{tenant.slug}/registro/nuevo")
    await page.get_by_label("Correo electrónico").fill(email)
    await page.get_by_label("Contraseña").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url(f"**/{tenant.slug}/registro/nuevo")
    await check_accessibility(page, "registro-nuevo")
    await page.locator("#documento").fill("00000000T")
    await page.locator("#nombre").fill("Lucía")
    await page.locator("#extracto").fill("Licencia de obra menor")
    await page.locator("#anexos").set_input_files(_scan(tmp_path, "plano.pdf"))
    await page.get_by_role("button", name="Buscar").click()
    status = page.locator("#lookup-status")
    await status.filter(has_text="No consta").wait_for()
    assert "00000000T" in await status.inner_text()
    assert "_csrf_token" not in page.url and "Lucía" not in page.url  # nothing in the URL
    assert await page.locator("#nombre").input_value() == "Lucía"
    assert await page.locator("#extracto").input_value() == "Licencia de obra menor"
    assert "Vuelva a elegir el fichero: plano.pdf" in await page.locator(
        "#anexos-notice").inner_text()
    await check_accessibility(page, "registro-nif-desconocido")


async def test_the_time_slots_are_one_labelled_choice_each(browser_context, live_server,
                                                           make_tenant):
    setup = await setup_entity(make_tenant)
    page = await (await browser_context()).new_page()
    await page.goto(f"{live_server}/sede/{setup.tenant.slug}/cita_previa/servicios/padron/"
                    "franjas?canal=videollamada")
    await check_accessibility(page, "cita-previa-franjas-video")
    radios = page.get_by_role("radio", name=re.compile(r"^\d\d:\d\d–\d\d:\d\d Videollamada$"))
    assert await radios.count() > 5
    assert await page.get_by_role("radio", name=re.compile("Oficina")).count() == 0
    boxes = [await page.locator(f'label[for="franja-{n}"]').bounding_box() for n in (1, 2, 3)]
    for one, other in itertools.pairwise(boxes):  # apart, never run together
        assert (one["x"] + one["width"] < other["x"]) or (one["y"] + one["height"] < other["y"])
    await page.locator('label[for="franja-2"]').click()
    assert await page.locator("#franja-2").is_checked()
