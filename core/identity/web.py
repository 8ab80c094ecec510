"""Login pages: password and TOTP (with enrolment by QR), external providers, logout, reset.

``/login`` shows staff the password form (and staff providers such as Keycloak) and, when
the page asked for is on a sede, shows citizens the providers they can use (Cl@ve,
certificate). Every step that authenticates sets a fresh session cookie.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from core import kernel as _kernel
from core.identity import login, mfa, sessions
from core.identity.citizens import open_citizen_session
from core.identity.providers import (
    FLOW_COOKIE,
    ExternalIdentity,
    IdentityRejected,
    new_flow,
    save_flow,
    take_flow,
)
from core.identity.reset import ResetError, request_reset, reset_password
from core.identity.services import audit_identity, landing, needs_mfa
from core.identity.sessions import SESSION_COOKIE
from core.identity.tables import User
from core.mail import MailError
from core.tenancy.context import tenant_by_slug
from core.web.i18n import gettext as _
from core.web.pages import page

REFUSALS = {
    "bad": (401, "Credenciales incorrectas"),
    "locked": (429, "Demasiados intentos fallidos: espere unos minutos y vuelva a intentarlo"),
    "throttled": (429, "Demasiados intentos fallidos desde su conexión: espere unos minutos"),
}


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (``//x``, ``/\\x``, ``https://x``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _secure() -> bool:
    return _kernel.current().settings.effective_base_url.startswith("https://")


def with_session(response: Response, token: str) -> Response:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=_secure())
    return response


def next_step(state: str, target: str) -> str:
    """Where a new session goes: its target, or first the code or enrolment page."""
    if state == "active":
        return target
    return f"/login/{'code' if state == 'mfa' else 'enrol'}?next={quote(target, safe='/')}"


def providers() -> dict[str, Any]:
    return _kernel.current().identity_providers


async def _drop_old_session(request: Request) -> None:
    """Whatever session the browser brings to a login is ended (no session fixation)."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await sessions.close(old)


class LoginForm(msgspec.Struct):
    email: str
    password: str
    next: str = "/"


class CodeForm(msgspec.Struct):
    code: str
    next: str = "/"


class EnrolForm(msgspec.Struct):
    code: str
    sealed: str
    next: str = "/"


class EmailForm(msgspec.Struct):
    email: str


class ResetForm(msgspec.Struct):
    token: str
    password: str
    password2: str


@get("/login", include_in_schema=False)
async def login_page(request: Request, next: FromQuery[str] = "/") -> Template:
    citizen = next.startswith("/sede/")
    audience = "citizen" if citizen else "staff"
    listed = [p for p in providers().values() if p.audience == audience and p.name != "local"]
    return await page(request, "core:login.html", next=safe_next(next), error=None,
                      citizen=citizen, providers=listed)


async def _refused(request: Request, template: str, status: str, **context: Any) -> Template:
    code, message = REFUSALS[status]
    return await page(request, template, status_code=code, error=message, **context)


@post("/login", include_in_schema=False)
async def login_submit(request: Request, data: URLEncodedBody[LoginForm]) -> Response:
    await _drop_old_session(request)
    result = await login.password_login(data.email, data.password, client_ip(request))
    target = safe_next(data.next)
    if result.status != "ok":
        return await _refused(request, "core:login.html", result.status, next=target,
                              citizen=False, providers=[])
    if data.next in ("", "/") and result.user_id is not None:  # no page asked for
        target = await landing(result.user_id)
    return with_session(Redirect(next_step(result.state, target)), result.token)


@get("/login/code", include_in_schema=False)
async def code_page(request: Request, next: FromQuery[str] = "/") -> Response:
    session = await sessions.load(request.cookies.get(SESSION_COOKIE, ""), touch=False)
    if session is None or session.state != "mfa":
        return Redirect("/login")
    return await page(request, "core:login_code.html", next=safe_next(next), error=None)


@post("/login/code", include_in_schema=False)
async def code_submit(request: Request, data: URLEncodedBody[CodeForm]) -> Response:
    result = await login.code_login(request.cookies.get(SESSION_COOKIE, ""), data.code,
                                    client_ip(request))
    if result.status != "ok":
        return await _refused(request, "core:login_code.html", result.status,
                              next=safe_next(data.next))
    return with_session(Redirect(safe_next(data.next)), result.token)


async def _enrolling_user(request: Request) -> dict[str, Any] | None:
    session = await sessions.load(request.cookies.get(SESSION_COOKIE, ""), touch=False)
    if session is None or session.user_id is None or session.state not in ("enrol", "active"):
        return None
    return await User.select(User.id, User.email).where(User.id == session.user_id).first()


async def _enrol_page(request: Request, next: str, secret: str, status_code: int = 200,
                      error: str | None = None) -> Template:
    user = await _enrolling_user(request)
    uri = mfa.provisioning_uri(secret, user["email"])
    return await page(request, "core:login_enrol.html", status_code=status_code,
                      next=safe_next(next), error=error, qr=mfa.qr_svg(uri), uri=uri,
                      secret=secret, sealed=mfa.seal(secret))


@get("/login/enrol", include_in_schema=False)
async def enrol_page(request: Request, next: FromQuery[str] = "/") -> Response:
    """Second-factor enrolment: a new secret as a QR code, confirmed by a first code."""
    if await _enrolling_user(request) is None:
        return Redirect("/login?next=/login/enrol")
    return await _enrol_page(request, next, mfa.new_secret())


@post("/login/enrol", include_in_schema=False)
async def enrol_submit(request: Request, data: URLEncodedBody[EnrolForm]) -> Response:
    if await _enrolling_user(request) is None:
        return Redirect("/login")
    try:
        secret = mfa.unseal(data.sealed)
    except ValueError:
        return Redirect("/login/enrol")
    result = await login.enrol_login(request.cookies.get(SESSION_COOKIE, ""), secret,
                                     data.code, client_ip(request))
    if result.status != "ok":
        return await _enrol_page(request, data.next, secret, 401,
                                 "El código no es correcto: compruebe la hora del teléfono")
    return with_session(Redirect(safe_next(data.next)), result.token)


@post("/logout", include_in_schema=False)
async def logout_submit(request: Request) -> Redirect:
    key = request.cookies.get(SESSION_COOKIE)
    if key:
        await sessions.close(key)
    response = Redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/login/forgot", include_in_schema=False)
async def forgot_page(request: Request) -> Template:
    return await page(request, "core:login_forgot.html", sent=False, error=None)


@post("/login/forgot", include_in_schema=False)
async def forgot_submit(request: Request, data: URLEncodedBody[EmailForm]) -> Template:
    try:
        await request_reset(data.email)
    except MailError:
        return await page(request, "core:login_forgot.html", status_code=503, sent=False,
                          error="No se ha podido enviar el correo; inténtelo más tarde")
    return await page(request, "core:login_forgot.html", sent=True, error=None)


@get("/login/reset", include_in_schema=False)
async def reset_page(request: Request, token: FromQuery[str] = "") -> Template:
    return await page(request, "core:login_reset.html", token=token, error=None)


@post("/login/reset", include_in_schema=False)
async def reset_submit(request: Request, data: URLEncodedBody[ResetForm]) -> Response:
    error = "Las dos contraseñas no coinciden" if data.password != data.password2 else None
    if error is None:
        try:
            await reset_password(data.token, data.password)
        except ResetError as exc:
            error = str(exc)
    if error:
        return await page(request, "core:login_reset.html", status_code=422,
                          token=data.token, error=error)
    return Redirect("/login?reset=1")


def _provider(name: str) -> Any:
    provider = providers().get(name)
    if provider is None or name == "local":
        raise NotFoundException(f"No identity provider {name!r}")
    return provider


async def _establish(request: Request, identity: ExternalIdentity, return_to: str
                     ) -> Response:
    """Open the session an external identity leads to, and go where the person was going."""
    ip = client_ip(request)
    await _drop_old_session(request)
    if identity.audience == "citizen":
        parts = return_to.split("/")
        tenant = await tenant_by_slug(parts[2]) if return_to.startswith("/sede/") else None
        token = await open_citizen_session(identity, ip, tenant.id if tenant else None)
        return with_session(Redirect(return_to), token)
    user = await User.select(User.id, User.is_active).where(
        User.email == identity.email.strip().lower()).first()
    if user is None or not user["is_active"]:
        raise IdentityRejected("No hay una cuenta de personal activa con ese correo")
    state = "active"
    if not identity.provider_mfa and await needs_mfa(user["id"]):
        state = "mfa" if await mfa.has_totp(user["id"]) else "enrol"
    token = await sessions.open_session(user_id=user["id"], state=state,
                                        provider=identity.provider, ip=ip)
    await audit_identity("login.external", actor=identity.email,
                         detail={"provider": identity.provider})
    return with_session(Redirect(next_step(state, return_to)), token)


async def _rejected(request: Request, provider: str, exc: IdentityRejected) -> Template:
    await audit_identity("login.external", actor=provider, outcome="failed",
                         detail={"reason": str(exc)})
    return await page(request, "core:error.html", status_code=401, status=401,
                      detail=_(str(exc)))


@get("/login/with/{provider:str}", include_in_schema=False)
async def external_start(request: Request, provider: FromPath[str],
                         next: FromQuery[str] = "/") -> Response:
    """Start a login at a provider: a redirect to it, or (certificate) identified at once."""
    chosen = _provider(provider)
    flow = new_flow(provider, safe_next(next))
    try:
        started = await chosen.start(request, flow)
        if isinstance(started, ExternalIdentity):
            return await _establish(request, started, flow.return_to)
    except IdentityRejected as exc:
        return await _rejected(request, provider, exc)
    await save_flow(flow)
    started.set_cookie(FLOW_COOKIE, flow.state, httponly=True, samesite="lax", path="/login/",
                       secure=_secure(), max_age=600)
    return started


@get("/login/with/{provider:str}/callback", include_in_schema=False)
async def external_callback(request: Request, provider: FromPath[str]) -> Response:
    """The provider sends the browser back: check state and cookie, then the identity."""
    chosen = _provider(provider)
    state = request.query_params.get("state", "")  # ("state" is a reserved parameter name)
    flow = await take_flow(provider, state) if state else None
    try:
        if flow is None or request.cookies.get(FLOW_COOKIE) != state:
            raise IdentityRejected("El acceso ha caducado o no se inició en este navegador")
        identity = await chosen.finish(request, flow)
        response = await _establish(request, identity, flow.return_to)
    except IdentityRejected as exc:
        return await _rejected(request, provider, exc)
    response.delete_cookie(FLOW_COOKIE, path="/login/")
    return response


IDENTITY_ROUTES = [login_page, login_submit, code_page, code_submit, enrol_page, enrol_submit,
                   logout_submit, forgot_page, forgot_submit, reset_page, reset_submit,
                   external_start, external_callback]
