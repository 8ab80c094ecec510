"""``concejo demo`` signs out of the box: a sealed, CSV-stamped document the sede verifies.

What the command runs (``load_demo`` then ``demo_signing``) is run here in the test's own
process; ``tests/kernel`` runs the command itself."""

from __future__ import annotations

import re

import pytest

from core.demo import load_demo
from core.signing.devsetup import demo_signing

HTML = {"accept": "text/html"}


async def test_the_demo_issues_a_document_that_the_sede_verifies(own_client, pdfsig):
    output = "\n".join([*await load_demo(), *await demo_signing()])
    assert "Development PKI in" in output
    match = re.search(r"^\s+soria\s+(\S+)\s+(\S+)$", output, re.M)
    assert match, output
    csv, url = match.groups()
    assert url.endswith(f"/sede/soria/verificar?csv={csv}")
    http = own_client()
    page = await http.get("/sede/soria/verificar", params={"csv": csv}, headers=HTML)
    assert page.status_code == 200 and "Documento de demostración" in page.text
    download = await http.get(f"/sede/soria/verificar/{csv}/documento")
    assert download.status_code == 200
    [signature] = pdfsig(download.content)
    assert signature["Signature Validation"] == "Signature is Valid."
    assert signature["Certificate Validation"] == "Certificate is Trusted."
    assert signature["coverage"] == "Total document signed"
    again = await demo_signing()  # what a second ``concejo demo`` adds: nothing new
    assert "0 new seals, 0 new personal certificates" in again[0]
    assert any(line.split()[:2] == ["soria", csv] for line in again)


async def test_the_demo_alcalde_has_a_resolucion_waiting_and_the_staff_a_unit():
    from core.identity.tables import User
    from core.signing.tables import SignatureStep
    from core.tenancy.context import tenant_by_slug
    from plugins.expedientes.busqueda import units_of_user
    from plugins.expedientes.settings import settings_of

    await load_demo()
    await load_demo()  # a second run adds nothing
    soria = await tenant_by_slug("soria")
    settings = settings_of(soria)
    assert (settings.alcalde, settings.secretario) == ("alcalde@soria.demo",
                                                       "secretario@soria.demo")
    ids = {r["email"]: r["id"] for r in await User.select(User.id, User.email)}
    from plugins.expedientes.busqueda import search
    from plugins.expedientes.schemas import Busqueda

    if not await search(soria, Busqueda(q="Reforma de baño")):
        pytest.skip("the session's first diputación is not the demo's: Soria adopted no "
                    "models, so it has no example expedientes (run this file alone)")
    steps = await SignatureStep.select(SignatureStep.flow.subject.as_alias("subject")).where(
        (SignatureStep.tenant == soria.id) & (SignatureStep.user == ids["alcalde@soria.demo"])
        & (SignatureStep.position == 1)
        & (SignatureStep.flow.kind == "expedientes.resolucion"))
    assert [s["subject"][:32] for s in steps] == ["Resolución: Decreto de concesión"]
    for email in ("tramitador@soria.demo", "registro@soria.demo", "secretario@soria.demo"):
        assert await units_of_user(soria, ids[email]) == [soria.dir3]
    olvega = await tenant_by_slug("olvega")
    assert settings_of(olvega).alcalde == "alcalde@olvega.demo"
