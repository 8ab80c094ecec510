"""Building blocks plugins contribute to pages, and ``page()`` which renders with the layout."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request
from litestar.response import Template

from core import kernel as _kernel
from core.errors import DomainError, FieldError, field_errors
from core.events import gather_hook
from core.identity.actor import ANONYMOUS, Actor
from core.tenancy.context import TenantContext
from core.tenancy.tables import Unit
from core.web.i18n import N_, SUPPORTED, current_language, gettext
from core.web.language import language_links


class MenuItem(msgspec.Struct, frozen=True):
    """A navigation entry of the staff backoffice or the sede."""

    label: str
    url: str
    section: str = "main"


class SedeProcedure(msgspec.Struct, frozen=True, kw_only=True):
    """A procedure in the sede's catálogo de trámites.

    Texts are Spanish msgids (mark them with ``N_`` so they are extracted) translated by
    the plugin's catalogs when the sede shows them, unless ``own``: the entity's own
    procedure (from the ``sede_procedures`` hook), whose texts it wrote and are shown as they
    are. ``code`` is unique in the catálogo and names the procedure's page:
    ``/sede/<tenant>/tramites/<code>``.
    """

    plugin: str
    code: str
    name: str
    description: str
    category: str = ""  # materia, for grouping the catalogue: "Tributos", "Urbanismo"…
    who_may_apply: str = ""
    documents_required: tuple[str, ...] = ()
    deadline: str = ""  # plazo máximo para resolver y notificar
    silence: str = ""  # efecto del silencio administrativo
    legal_basis: str = ""  # normativa
    sia_code: str = ""  # código SIA of the procedure, when it has one
    form_path: str = ""  # online form, relative to the sede: "tablon/" → /sede/<slug>/tablon/
    own: bool = False

    def shown(self, text: str) -> str:
        """One of the procedure's texts as the sede shows it (a msgid translated)."""
        return text if self.own or not text else gettext(text)


class Widget(msgspec.Struct, frozen=True, kw_only=True):
    """A staff dashboard widget: a template fragment and an async context provider."""

    plugin: str
    title: str
    template: str
    permission: str
    context: Any  # async (tenant: TenantContext, actor: Actor) -> dict


def tenant_of(request: Request) -> TenantContext | None:
    return request.state.get("tenant")


def actor_of(request: Request) -> Actor:
    return request.state.get("actor", ANONYMOUS)


CSRF_FIELD = "_csrf_token"  # what Litestar's csrf_input is called


async def form_values(request: Request) -> dict[str, str]:
    """The text fields of a posted form, without the CSRF token: what a refused form is
    shown again with."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


def chosen_files(form: Any) -> dict[str, list[str]]:
    """File input → names of the files chosen in it: a refused form cannot give them back
    (browsers do not let a page fill a file input), so it says which to choose again."""
    chosen: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str) and getattr(value, "filename", ""):
            chosen.setdefault(name, []).append(value.filename)
    return chosen


def refusal(error: DomainError | str | None) -> list[FieldError]:
    """The errors a refused form shows: every wrong field of a ``DomainError`` (see
    ``core.errors.field_errors``), a message (a Spanish msgid) for the whole form."""
    if isinstance(error, DomainError):
        return field_errors(error)
    return [FieldError("", gettext(error))] if error else []


def field_list(errors: Mapping[str, str] | list[FieldError | str] | None) -> list[FieldError]:
    """``errors`` as a page may give them — {input id: message}, messages for the whole
    form (Spanish msgids) or ``FieldError``s — as the one list ``core:forms.html`` shows."""
    if isinstance(errors, Mapping):
        return [FieldError(field, gettext(message)) for field, message in errors.items()]
    return [e if isinstance(e, FieldError) else FieldError("", gettext(e))
            for e in errors or ()]


def path_of(request: Request) -> str:
    """The path as the browser asked for it (with its trailing slash, which relative links
    need; ``request.url.path`` drops it)."""
    return request.scope.get("raw_path", b"").decode("latin-1") or request.url.path


def face_of(request: Request) -> str:
    """Which face a page belongs to: ``sede``, ``console`` or ``staff``."""
    first = request.url.path.lstrip("/").split("/", 1)[0]
    return {"sede": "sede", "diputacion": "console"}.get(first, "staff")


#: The console's navigation: (permission, label msgid, url).
CONSOLE_MENU = (("core.console", N_("Entidades y módulos"), "/diputacion/"),
                ("core.support", N_("Soporte a entidades"), "/diputacion/soporte/"),
                ("core.audit", N_("Auditoría"), "/diputacion/auditoria/"))


def console_menu(actor: Actor) -> list[MenuItem]:
    """The console's entries this actor may open."""
    return [MenuItem(gettext(label), url) for permission, label, url in CONSOLE_MENU
            if actor.can(permission)]


async def layout_context(request: Request) -> dict[str, Any]:
    """Variables every page gets: tenant, actor, language, navigation, plugin extras."""
    kernel = _kernel.current()
    tenant = tenant_of(request)
    actor = actor_of(request)
    lang = current_language()
    context: dict[str, Any] = {
        "tenant": tenant, "actor": actor, "lang": lang, "menu": [], "face": face_of(request),
        "now": datetime.now(UTC),  # the sede shows its official date and time
        "path": path_of(request),
        "languages": language_links(path_of(request), dict(request.query_params),
                                    tenant.languages if tenant else list(SUPPORTED), lang)}
    if tenant is None:
        context["menu"] = console_menu(actor) if context["face"] == "console" else []
        return context
    hooks = kernel.plugins.hooks_for(tenant.enabled)
    menu: list[MenuItem] = []
    for items in await gather_hook(hooks.menu_items(request=request, tenant=tenant,
                                                    actor=actor)):
        menu.extend(items or [])
    context["menu"] = menu
    if context["face"] == "staff":  # the ``unit`` filter names a DIR3 code with them
        context["units"] = {row["dir3"]: row["name"] for row in await Unit.select(
            Unit.dir3, Unit.name).where(Unit.tenant == tenant.id)}
    for extra in await gather_hook(hooks.extra_template_vars(request=request, tenant=tenant)):
        context.update(extra or {})
    return context


async def page(request: Request, template: str, status_code: int = 200,
               **context: Any) -> Template:
    """Render a template inside the layout with the layout context. ``error`` (a
    ``DomainError`` or a message) becomes ``errors``, which ``core:forms.html`` shows: a
    summary at the top (base.html), a message next to each wrong input."""
    full = await layout_context(request)
    full.update(context)
    full["errors"] = field_list(context.get("errors")) + refusal(context.get("error"))
    return Template(template_name=template, context=full, status_code=status_code)
