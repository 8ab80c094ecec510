"""The newcomer's path on the demo, as the README tells it: ``concejo serve --demo``, then in
a browser open a municipality's sede, browse the catálogo, change language, verify the CSV
the demo printed, and log in as a citizen to the carpeta. axe-core checks every page.

The server is the real command in a subprocess with its own data folder: a SQLite file,
as for a newcomer, or a fresh PostgreSQL database when ``CONCEJO_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import msgspec
import pytest

from core.testing import fresh_postgres
from tests.browser.browser_tools import check_accessibility

pytestmark = pytest.mark.browser

STARTUP_SECONDS = 300  # the demo province, its PKI and the examples, on a busy machine


class Demo(msgspec.Struct):
    url: str
    csv: str  # the CSV of Soria's demo document, as ``concejo demo`` printed it
    output: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _database_url(data: Path) -> str:
    """SQLite in the data folder, or a fresh ``<test database>_demo`` on PostgreSQL."""
    url = os.environ.get("CONCEJO_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{data / 'concejo.sqlite'}"
    return await fresh_postgres(url, "_demo")


async def _wait_until_served(process: asyncio.subprocess.Process, log: Path, url: str) -> str:
    async with httpx.AsyncClient() as http:
        for _ in range(STARTUP_SECONDS * 2):
            if process.returncode is not None:
                break
            try:
                if (await http.get(f"{url}/health")).status_code == 200:
                    return await asyncio.to_thread(log.read_text)
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    output = await asyncio.to_thread(log.read_text)
    pytest.fail(f"concejo serve --demo did not come up:\n{output[-4000:]}")


@pytest.fixture(scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    """``concejo serve --demo`` on a free loopback port, stopped (SIGINT) at the end."""
    from tests.browser.browser_tools import require_browser

    require_browser()  # no point loading a province without a browser to look at it
    data = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {**os.environ, "CONCEJO_DATA_DIR": str(data),
           "CONCEJO_DATABASE_URL": await _database_url(data)}
    for name in ("CONCEJO_CONFIG", "CONCEJO_BROKER_URL", "CONCEJO_PROFILE", "CONCEJO_DEMO_LOGIN",
                 "CONCEJO_BASE_URL"):  # the public address follows --host and --port
        env.pop(name, None)
    log = data / "serve.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "core.cli", "serve", "--demo", "--host", "127.0.0.1",
            "--port", str(port), env=env, stdout=out, stderr=asyncio.subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        output = await _wait_until_served(process, log, url)
        match = re.search(r"^\s+soria\s+(\S+)\s+(\S+)/sede/soria/verificar\?csv=", output,
                          re.M)
        assert match, output
        assert match.group(2) == url and f"Log in at {url}/login" in output, output
        yield Demo(url=url, csv=match.group(1), output=output)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_a_newcomer_walks_the_demo_sede_to_the_carpeta(browser_context, demo):
    assert "«Cl@ve (demostración)»" in demo.output  # the command says how citizens log in
    page = await (await browser_context()).new_page()

    # The province's entities, then a municipality's sede.
    await page.goto(f"{demo.url}/")
    await page.get_by_role("listitem").filter(has_text="Ayuntamiento de Soria").get_by_role(
        "link", name="Sede electrónica").click()
    await page.wait_for_url("**/sede/soria/")
    assert await page.get_by_role("heading", level=1).inner_text() == "Ayuntamiento de Soria"
    await check_accessibility(page, "demo-sede-home")

    # The catálogo de trámites, and one procedure of it.
    sede_nav = page.get_by_role("navigation", name="Navegación de la sede")
    await sede_nav.get_by_role("link", name="Trámites").click()
    await page.wait_for_url("**/sede/soria/tramites/")
    procedures = page.get_by_role("main").get_by_role("listitem").get_by_role("link")
    assert await procedures.count() >= 3  # tablón, cita previa, expedientes, registro
    first = (await procedures.first.inner_text()).strip()
    await check_accessibility(page, "demo-sede-catalogue")
    await procedures.first.click()
    assert (await page.get_by_role("heading", level=1).inner_text()).strip() == first
    assert await page.get_by_text("Quién puede solicitarlo").is_visible()
    await check_accessibility(page, "demo-sede-procedure")

    # Another language: the page and the following ones are in Catalan.
    await page.get_by_role("navigation", name="Idioma").get_by_role("link",
                                                                    name="Català").click()
    assert await page.get_by_text("Qui ho pot sol·licitar").is_visible()
    assert await page.get_attribute("html", "lang") == "ca"
    await page.get_by_role("navigation", name="Navegació de la seu").get_by_role(
        "link", name="Verificar documents").click()
    assert await page.get_attribute("html", "lang") == "ca"
    await check_accessibility(page, "demo-sede-verify-ca")

    # The CSV that ``concejo serve --demo`` printed for Soria.
    await page.get_by_role("main").get_by_role("textbox").fill(demo.csv)
    await page.get_by_role("main").get_by_role("button").click()
    await page.wait_for_load_state()
    assert await page.get_by_text("Documento de demostración").first.is_visible()
    assert demo.csv in await page.content()
    await check_accessibility(page, "demo-sede-verified-ca")

    # The carpeta: identify with the demo's Cl@ve as Lucía, who has entradas and expedientes.
    await page.get_by_role("link", name="Identificar-se").click()
    await page.wait_for_url("**/login?next=/sede/soria/carpeta/")
    await check_accessibility(page, "demo-login-citizen-ca")
    await page.get_by_role("link", name="Cl@ve (demostració)").click()
    await check_accessibility(page, "demo-login-clave-ca")
    await page.get_by_label("Lucía Martín Gómez (12345678Z)").check()
    await page.get_by_role("button", name="Entra").click()
    await page.wait_for_url("**/sede/soria/carpeta/")
    assert await page.get_attribute("html", "lang") == "ca"
    assert await page.get_by_text("Lucía Martín Gómez").first.is_visible()
    registros = page.locator("#registros")
    assert await registros.get_by_text("Solicitud de licencia de obra menor").is_visible()
    justificante = registros.get_by_role("link", name="Justificant").first
    assert await justificante.is_visible()
    assert await page.locator("#expedientes").get_by_text(
        "Sustitución de ventanas en calle Real 12").is_visible()
    await check_accessibility(page, "demo-sede-carpeta-ca")
    pdf = await page.context.request.get(demo.url + await justificante.get_attribute("href"))
    assert pdf.ok and (await pdf.body()).startswith(b"%PDF")  # with the citizen's session


async def test_the_demo_login_refuses_a_forged_return(demo):
    async with httpx.AsyncClient(base_url=demo.url) as http:
        started = await http.get("/login/with/demo", params={"next": "/sede/soria/carpeta/"})
        assert started.status_code == 200 and 'name="state"' in started.text
        state = re.search(r'name="state" value="([^"]+)"', started.text).group(1)
        nobody = await http.get("/login/with/demo/callback",
                                params={"state": state, "persona": "alguien"})
        assert nobody.status_code == 401
        assert "Elija una de las personas de la demostración" in nobody.text
        again = await http.get("/login/with/demo/callback",  # the state was used up
                               params={"state": state, "persona": "lucia"})
        assert again.status_code == 401 and "concejo_session" not in again.cookies


async def test_the_api_explorer_loads_its_assets_from_our_own_origin(browser_context, demo):
    page = await (await browser_context()).new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = await page.goto(f"{demo.url}/schema/swagger")
    assert response.ok
    await page.locator(".swagger-ui .info .title").get_by_text("Concejo API").wait_for()
    assert await page.locator(".opblock").count() > 10  # the operations are listed
    foreign = [url for url in requested if not url.startswith(demo.url)]
    assert not foreign, foreign
    assert any(url.endswith("/swagger-ui-bundle.js") for url in requested)
