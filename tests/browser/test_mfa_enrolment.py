"""Second-factor enrolment in a real Chromium: an entity admin logs in, scans (reads) the
QR's secret, types the code and reaches the dashboard; both pages pass WCAG 2.1 AA."""

from __future__ import annotations

import uuid
from typing import Any

import pyotp
import pytest

from core.identity.services import ensure_user, grant_role
from tests.browser.browser_tools import check_accessibility

pytestmark = pytest.mark.browser

PASSWORD = "una clave de administración"


async def test_an_admin_enrols_totp_from_the_qr_and_logs_in(live_server: str,
                                                           browser_context: Any,
                                                           make_tenant: Any) -> None:
    tenant = await make_tenant()
    email = f"admin-{uuid.uuid4().hex[:6]}@test.invalid"
    await grant_role(await ensure_user(email, "Adrián Admin", PASSWORD), tenant.id,
                     "entity_admin")
    page = await (await browser_context()).new_page()
    await page.goto(f"{live_server}/login?next=/{tenant.slug}/")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/login/enrol**")
    assert await page.locator("figure.qr svg").count() == 1
    await check_accessibility(page, "mfa-enrolment")
    uri = await page.locator("a[href^='otpauth://']").get_attribute("href")
    secret = await page.locator("figure.qr code").inner_text()
    assert pyotp.parse_uri(uri).secret == secret
    await page.fill("#code", "000000")
    await page.click("main button[type=submit]")
    assert "no es correcto" in await page.locator("[role=alert]").inner_text()
    await page.fill("#code", pyotp.TOTP(secret).now())
    await page.click("main button[type=submit]")
    await page.wait_for_url(f"**/{tenant.slug}/")
    assert await page.locator("h1").inner_text() == "Escritorio"
