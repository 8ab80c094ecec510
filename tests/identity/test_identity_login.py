"""Staff login: password + TOTP (enrolment by QR), fresh session ids, timeouts, lockout,
rate limits, and the audit of every try."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape

import pyotp

from core.audit.tables import AuditEntry
from core.identity.services import ensure_user, grant_role
from core.identity.sessions import SESSION_COOKIE, digest
from core.identity.tables import LoginAttempt, Session, User
from core.testing import csrf_headers, enrol_totp, totp_now

PASSWORD = "una clave larga de prueba"


async def new_user(tenant, role: str) -> tuple[int, str]:
    email = f"u-{uuid.uuid4().hex[:8]}@test.invalid"
    user_id = await ensure_user(email, "Persona de prueba", PASSWORD)
    await grant_role(user_id, tenant.id, role)
    return user_id, email


async def post_login(http, email: str, password: str = PASSWORD):
    return await http.post("/login", data={"email": email, "password": password,
                                           "next": "/x/"},
                           headers={**await csrf_headers(http), "accept": "text/html"})


async def test_password_login_gives_a_fresh_session_and_kills_the_one_brought(
        client_at, make_tenant, operator):
    tenant = await make_tenant(plugins=("alpha",))
    _, email = await new_user(tenant, "read_only")
    http = client_at()
    first = await post_login(http, email)
    assert first.status_code == 302 and first.headers["location"] == "/x/"
    old = http.cookies[SESSION_COOKIE]
    second = await post_login(http, email)
    assert second.status_code == 302
    assert http.cookies[SESSION_COOKIE] != old
    assert not await Session.exists().where(Session.key == digest(old))
    assert await Session.exists().where(Session.key == digest(http.cookies[SESSION_COOKIE]))
    assert (await http.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 200


async def test_admin_must_enrol_totp_from_a_qr_before_anything_else(client_at, make_tenant):
    tenant = await make_tenant(plugins=("alpha",))
    user_id, email = await new_user(tenant, "entity_admin")
    http = client_at()
    response = await post_login(http, email)
    assert response.headers["location"].startswith("/login/enrol")
    pending = http.cookies[SESSION_COOKIE]
    assert (await http.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 401
    page = await http.get("/login/enrol", headers={"accept": "text/html"})
    assert page.status_code == 200 and "<svg" in page.text
    uri = unescape(re.search(r'otpauth://[^"<\s]+', page.text).group(0))
    secret = pyotp.parse_uri(uri).secret
    assert pyotp.parse_uri(uri).issuer == "Concejo" and pyotp.parse_uri(uri).name == email
    sealed = re.search(r'name="sealed" value="([0-9a-f]+)"', page.text).group(1)
    headers = await csrf_headers(http)
    wrong = await http.post("/login/enrol", data={"code": "000000", "sealed": sealed},
                            headers={**headers, "accept": "text/html"})
    assert wrong.status_code == 401
    assert not (await User.select(User.totp_enabled_at).where(User.id == user_id).first()
                )["totp_enabled_at"]
    done = await http.post("/login/enrol", data={"code": pyotp.TOTP(secret).now(),
                                                 "sealed": sealed, "next": "/y/"},
                           headers=headers)
    assert done.status_code == 302 and done.headers["location"] == "/y/"
    assert http.cookies[SESSION_COOKIE] != pending
    assert (await http.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 200


async def test_enrolled_user_needs_a_code_that_cannot_be_replayed(client_at, make_tenant):
    tenant = await make_tenant(plugins=("alpha",))
    user_id, email = await new_user(tenant, "read_only")
    secret = await enrol_totp(user_id)
    http = client_at()
    response = await post_login(http, email)
    assert response.headers["location"].startswith("/login/code")
    assert (await http.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 401
    headers = {**await csrf_headers(http), "accept": "text/html"}
    bad = await http.post("/login/code", data={"code": "123456"}, headers=headers)
    assert bad.status_code == 401 and "Credenciales incorrectas" in bad.text
    code = totp_now(secret)
    ok = await http.post("/login/code", data={"code": code}, headers=headers)
    assert ok.status_code == 302
    assert (await http.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 200
    other = client_at()
    await post_login(other, email)
    replay = await other.post("/login/code", data={"code": code},
                              headers={**await csrf_headers(other), "accept": "text/html"})
    assert replay.status_code == 401


async def test_idle_and_absolute_timeouts_end_the_session(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    path = f"/api/v1/{tenant.slug}/alpha/hola"
    for column, age in ((Session.last_seen, timedelta(minutes=31)),
                        (Session.created_at, timedelta(hours=11))):
        await login(client, tenant, "read_only")
        assert (await client.get(path)).status_code == 200
        key = digest(client.cookies[SESSION_COOKIE])
        await Session.update({column: datetime.now(UTC) - age}).where(Session.key == key)
        assert (await client.get(path)).status_code == 401
        assert not await Session.exists().where(Session.key == key)


async def test_lockout_after_five_failures_even_with_the_right_password(
        client_at, make_tenant, operator):
    tenant = await make_tenant()
    _, email = await new_user(tenant, "read_only")
    for _ in range(5):  # from five addresses: per account, not per address
        assert (await post_login(client_at(), email, "wrong")).status_code == 401
    http = client_at()
    locked = await post_login(http, email)
    assert locked.status_code == 429 and "Demasiados intentos" in locked.text
    assert SESSION_COOKIE not in http.cookies
    entries = await AuditEntry.select(AuditEntry.outcome, AuditEntry.ip).where(
        (AuditEntry.tenant == operator.id) & (AuditEntry.actor == email)
        & (AuditEntry.action == "login.password"))
    assert len(entries) == 5 and all(e["outcome"] == "failed" and e["ip"] for e in entries)
    refused = await AuditEntry.select(AuditEntry.outcome).where(
        (AuditEntry.tenant == operator.id) & (AuditEntry.actor == email)
        & (AuditEntry.action == "login.refused"))
    assert [e["outcome"] for e in refused] == ["denied"]


async def failures(count: int, *, email: str = "", ip: str = "") -> None:
    """Past failed attempts, as the login writes them."""
    for i in range(count):
        await LoginAttempt.insert(LoginAttempt(
            email=email or f"guess{i}-{uuid.uuid4().hex[:4]}@test.invalid", ip=ip or "x",
            at=datetime.now(UTC) - timedelta(minutes=1), success=False))


async def test_an_unknown_address_locks_like_a_real_one(client_at):
    unknown = f"nobody-{uuid.uuid4().hex[:6]}@test.invalid"
    await failures(4, email=unknown)
    assert (await post_login(client_at(), unknown, "x")).status_code == 401
    assert (await post_login(client_at(), unknown, "x")).status_code == 429


async def test_one_address_failing_on_many_accounts_is_throttled(client_at, make_tenant):
    tenant = await make_tenant()
    _, email = await new_user(tenant, "read_only")
    ip = "203.0.113.77"
    await failures(19, ip=ip)
    assert (await post_login(client_at(ip), "someone@test.invalid", "x")).status_code == 401
    throttled = await post_login(client_at(ip), email)
    assert throttled.status_code == 429 and "su conexión" in throttled.text
    assert (await post_login(client_at(), email)).status_code == 302


async def test_a_success_resets_the_count_of_failures(client_at, make_tenant):
    tenant = await make_tenant()
    _, email = await new_user(tenant, "read_only")
    await failures(4, email=email)
    assert (await post_login(client_at(), email)).status_code == 302
    await failures(4, email=email)
    assert (await post_login(client_at(), email)).status_code == 302


async def test_next_never_leaves_the_site(client_at, make_tenant):
    tenant = await make_tenant()
    _, email = await new_user(tenant, "read_only")
    http = client_at()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = await http.post("/login", data={"email": email, "password": PASSWORD,
                                                   "next": target},
                                   headers=await csrf_headers(http))
        assert response.headers["location"] == "/"
