"""Every page a demo user can reach by following links is fit for a person: no 5xx, no PO
header, no Spanish msgid left untranslated in another language, no raw enum value.

With the demo province loaded (``load_demo`` and ``demo_signing``, as ``concejo demo``),
each demo staff user logs in (password, and TOTP for administrative roles), a citizen logs
in on the sede through the demo's Cl@ve stand-in and an anonymous visitor browses the
sedes, in every language Soria offers. GET only, nothing submitted, bounded per page shape
(``crawler_tools``)."""

from __future__ import annotations

import itertools
import re

import httpx
import pytest

from core.demo import DEMO_PASSWORD, ENTITIES, LUCIA, USERS, load_demo
from core.identity.actor import ADMIN_ROLES
from core.identity.providers.demo import DemoCitizenProvider
from core.identity.services import ensure_user
from core.signing.devsetup import demo_signing
from core.testing import enrol_totp, password_login
from tests.platform.crawler_tools import Checker, crawl

SEDE_LANGUAGES = ("es", "ca", "gl", "eu", "en")
SLUGS = {entity.slug for entity in ENTITIES}
_addresses = itertools.count(1)


@pytest.fixture(scope="module")
async def demo_province(concejo_kernel) -> Checker:
    await load_demo()
    await demo_signing()
    return Checker.load()


@pytest.fixture
async def visitor(concejo_app):
    """A client of its own address (the login limits are per address)."""
    n = next(_addresses)
    transport = httpx.ASGITransport(app=concejo_app, client=(f"10.77.{n // 250}.{n % 250 + 1}",
                                                             40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


#: what the crawl finds that other engineers of issue 16 own (the test xfails on them alone)
KNOWN_ELSEWHERE = {
    "untranslated 'Instancia general'": "a procedure's name is the entity's own content; its "
    "co-official translations are issue 16's «entity's own content» work",
}


def _report(problems: list[str], visited: int) -> None:
    assert visited > 3, "the crawl found almost nothing to visit"
    known = sorted({p for p in problems if any(k in p for k in KNOWN_ELSEWHERE)})
    rest = sorted(set(problems) - set(known))
    assert not rest, f"{len(rest)} problems on {visited} pages:\n" + "\n".join(rest)
    if known:
        pytest.xfail("; ".join(v for k, v in KNOWN_ELSEWHERE.items()
                               if any(k in p for p in known)) + ":\n" + "\n".join(known))


@pytest.mark.parametrize(("email", "roles"), [(e, r) for e, _, r in USERS],
                         ids=[e.split("@")[0] + "@" + r[0][0] for e, _, r in USERS])
async def test_every_page_a_demo_staff_user_reaches(demo_province, visitor, email, roles):
    user_id = await ensure_user(email, "", DEMO_PASSWORD)
    admin = any(role in ADMIN_ROLES for _, role in roles)
    secret = await enrol_totp(user_id) if admin else None
    await password_login(visitor, email, DEMO_PASSWORD, secret)
    starts = ["/", *{f"/{slug}/" for slug, _ in roles if not slug.startswith("diputacion")}]
    if any(role.startswith("diputacion") for _, role in roles):
        starts.append("/diputacion/")
    _report(*await crawl(visitor, starts, demo_province, email, SLUGS))


@pytest.mark.parametrize("lang", SEDE_LANGUAGES)
async def test_every_sede_page_a_citizen_reaches(demo_province, visitor, concejo_kernel,
                                                 monkeypatch, lang):
    monkeypatch.setitem(concejo_kernel.identity_providers, "demo", DemoCitizenProvider())
    started = await visitor.get("/login/with/demo", params={"next": "/sede/soria/carpeta/"})
    state = re.search(r'name="state" value="([^"]+)"', started.text).group(1)
    back = await visitor.get("/login/with/demo/callback",
                             params={"state": state, "persona": LUCIA.key})
    assert back.status_code in (302, 303), back.text
    await visitor.get("/sede/soria/", params={"lang": lang})  # the cookie keeps it
    _report(*await crawl(visitor, ["/sede/soria/carpeta/", "/sede/soria/"], demo_province,
                         f"{LUCIA.key} ({lang})", SLUGS))


@pytest.mark.parametrize("lang", SEDE_LANGUAGES)
async def test_every_page_an_anonymous_visitor_reaches(demo_province, visitor, lang):
    await visitor.get("/sede/soria/", params={"lang": lang})
    _report(*await crawl(visitor, ["/", "/sede/soria/", "/sede/olvega/"], demo_province,
                         f"anonymous ({lang})", SLUGS))
