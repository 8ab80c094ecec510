"""Password reset by e-mail through a real SMTP server: single use, expiring, no account
enumeration, every session closed, nothing changed by a bad request."""

import re
import uuid
from datetime import UTC, datetime, timedelta

from core.identity.services import ensure_user, grant_role
from core.identity.sessions import SESSION_COOKIE
from core.identity.tables import PasswordReset, Session, User
from core.testing import csrf_headers

OLD, NEW = "la clave antigua de siempre", "otra clave nueva y larga"


async def login_status(http, email, password):
    response = await http.post("/login", data={"email": email, "password": password},
                               headers=await csrf_headers(http))
    return response.status_code


async def ask(http, email):
    return await http.post("/login/forgot", data={"email": email},
                           headers={**await csrf_headers(http), "accept": "text/html"})


async def reset(http, token, password, password2=None):
    return await http.post("/login/reset", data={"token": token, "password": password,
                                                 "password2": password2 or password},
                           headers={**await csrf_headers(http), "accept": "text/html"})


async def test_reset_by_mail_is_single_use_and_ends_every_session(client_at, make_tenant,
                                                                  smtp, operator):
    tenant = await make_tenant()
    email = f"reset-{uuid.uuid4().hex[:6]}@test.invalid"
    user_id = await ensure_user(email, "Rosa Reset", OLD)
    await grant_role(user_id, tenant.id, "read_only")
    logged_in = client_at()
    assert await login_status(logged_in, email, OLD) == 302
    http = client_at()
    answer = await ask(http, email)
    assert answer.status_code == 200 and "Si la dirección tiene una cuenta" in answer.text
    [mail] = smtp.messages
    assert mail["To"] == email and "restablecer" in mail["Subject"]
    link = re.search(r"http\S+/login/reset\?token=(\S+)", mail.get_payload(decode=True).decode())
    token = link.group(1)
    assert "Nueva contraseña" in (await http.get(f"/login/reset?token={token}")).text
    stored = await PasswordReset.select().where(PasswordReset.user == user_id).first()
    assert token not in str(stored)

    for password, password2, message in (("corta", None, "al menos 12"),
                                         (NEW, NEW + "x", "no coinciden")):
        bad = await reset(http, token, password, password2)
        assert bad.status_code == 422 and message in bad.text
    assert await login_status(client_at(), email, OLD) == 302  # nothing changed yet

    done = await reset(http, token, NEW)
    assert done.status_code == 302 and done.headers["location"] == "/login?reset=1"
    assert not await Session.exists().where(Session.user == user_id)
    assert (await logged_in.get(f"/{tenant.slug}/", headers={"accept": "text/html"})
            ).status_code in (302, 303)  # its session died: sent to log in again
    assert await login_status(client_at(), email, OLD) == 401
    assert await login_status(client_at(), email, NEW) == 302
    again = await reset(http, token, "y otra clave más larga")
    assert again.status_code == 422 and "ya se ha usado" in again.text


async def test_unknown_address_gets_the_same_answer_and_no_mail(client_at, smtp):
    answer = await ask(client_at(), f"nadie-{uuid.uuid4().hex[:6]}@test.invalid")
    assert answer.status_code == 200 and "Si la dirección tiene una cuenta" in answer.text
    assert smtp.messages == []


async def test_an_expired_link_changes_nothing(client_at, smtp):
    email = f"late-{uuid.uuid4().hex[:6]}@test.invalid"
    user_id = await ensure_user(email, "Tardío", OLD)
    http = client_at()
    await ask(http, email)
    token = re.search(r"token=(\S+)", smtp.messages[0].get_payload(decode=True).decode()
                      ).group(1)
    await PasswordReset.update({PasswordReset.expires_at: datetime.now(UTC)
                                - timedelta(minutes=1)}).where(PasswordReset.user == user_id)
    before = (await User.select(User.password_hash).where(User.id == user_id).first())
    response = await reset(http, token, NEW)
    assert response.status_code == 422 and "caducado" in response.text
    assert (await User.select(User.password_hash).where(User.id == user_id).first()) == before
    assert SESSION_COOKIE not in http.cookies


async def test_mail_server_down_is_said_plainly(client_at, concejo_kernel, monkeypatch):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(concejo_kernel.settings, "smtp_url", f"smtp://127.0.0.1:{port}")
    email = f"down-{uuid.uuid4().hex[:6]}@test.invalid"
    await ensure_user(email, "Sin correo", OLD)
    response = await ask(client_at(), email)
    assert response.status_code == 503 and "No se ha podido enviar" in response.text
