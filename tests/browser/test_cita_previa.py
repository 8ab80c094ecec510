"""Cita previa in a real Chromium: a citizen books on the sede without an account (service →
channel → day → slot → code by email → confirmed), staff attend it on the day view, the
citizen cancels another; every page checked with axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.identity.services import ensure_user, grant_role
from plugins.cita_previa.services import queries
from plugins.cita_previa.services.common import local
from plugins.cita_previa.tables import Reserva
from plugins.cita_previa.tests.helpers import inbox_code, make_nif, setup_entity, smtp_inbox
from tests.browser.browser_tools import check_accessibility

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


async def _book(page: Any, sede: str, email: str, nif: str) -> None:
    await page.goto(f"{sede}/cita_previa/")
    await check_accessibility(page, "cita-previa-servicios")
    await page.get_by_role("link", name="Padrón municipal").click()
    await check_accessibility(page, "cita-previa-canal")
    await page.get_by_label("Videollamada").check()
    await page.get_by_role("button", name="Ver días y horas libres").click()
    await page.get_by_role("radio").first.check()
    await check_accessibility(page, "cita-previa-franjas")
    await page.locator("#name").fill("Lucía Pérez Gil")
    await page.locator("#nif").fill(nif)
    await page.locator("#email").fill(email)
    await page.get_by_role("button", name="Reservar").click()
    await page.wait_for_url("**/cita_previa/reservas/**")


async def test_a_citizen_books_and_staff_attend(browser_context, live_server, make_tenant,
                                                concejo_kernel):
    setup = await setup_entity(make_tenant, {"video_open_minutes": 120})
    sede = f"{live_server}/sede/{setup.tenant.slug}"
    page = await (await browser_context()).new_page()
    with smtp_inbox(concejo_kernel.settings) as inbox:
        await _book(page, sede, "lucia@example.org", make_nif(24681357))
        await check_accessibility(page, "cita-previa-confirmar")
        await page.get_by_label("Código de confirmación").fill(
            inbox_code(inbox, "lucia@example.org"))
        await page.get_by_role("button", name="Confirmar").click()
        await page.get_by_text("Reserva confirmada").wait_for()
        await check_accessibility(page, "cita-previa-reserva")
        assert await page.get_by_role("link", name="Entrar en la videollamada").is_visible()

    [row] = await Reserva.select(Reserva.localizador).where(Reserva.tenant == setup.tenant.id)
    cita = (await queries.get_reserva(setup.tenant, row["localizador"])).citas[0]
    email = f"staff-{row['localizador'].lower()}@ayto.example"
    await grant_role(await ensure_user(email, "Sonia Sánchez", PASSWORD), setup.tenant.id,
                     "secretario")
    staff = await (await browser_context()).new_page()
    await staff.goto(f"{live_server}/login?next=/{setup.tenant.slug}/cita_previa/")
    await staff.get_by_label("Correo electrónico").fill(email)
    await staff.get_by_label("Contraseña").fill(PASSWORD)
    await staff.get_by_role("button", name="Entrar").click()
    await staff.wait_for_url(f"**/{setup.tenant.slug}/cita_previa/")
    await check_accessibility(staff, "cita-previa-staff")
    await staff.goto(f"{live_server}/{setup.tenant.slug}/cita_previa/dia?oficina="
                     f"{setup.oficina}&fecha={local(cita.starts_at).date().isoformat()}")
    await check_accessibility(staff, "cita-previa-dia")
    assert await staff.get_by_role("cell", name=re.compile("Lucía Pérez Gil")).is_visible()
    moderator = staff.get_by_role("link", name="Entrar en la videollamada")
    assert (await moderator.get_attribute("href")).endswith(f"/citas/{cita.id}/video")
    await staff.get_by_role("button", name="Atendida").click()
    await staff.get_by_role("cell", name=re.compile("^Atendida")).wait_for()
    await staff.goto(f"{live_server}/{setup.tenant.slug}/cita_previa/estadisticas")
    await check_accessibility(staff, "cita-previa-estadisticas")

    # another booking, cancelled by the citizen from its page
    with smtp_inbox(concejo_kernel.settings) as inbox:
        await _book(page, sede, "pablo@example.org", make_nif(13572468))
        await page.get_by_label("Código de confirmación").fill(
            inbox_code(inbox, "pablo@example.org"))
        await page.get_by_role("button", name="Confirmar").click()
        await page.get_by_text("Reserva confirmada").wait_for()
        await page.get_by_role("button", name="Anular").click()
        await page.get_by_role("cell", name="Anulada").wait_for()
