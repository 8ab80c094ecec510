"""Plugin ``alpha``: implements every kernel hook and records each call it gets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath

from core.audit.log import record
from core.cli import Command
from core.identity.duties import DutyRule
from core.jobs import JobContext, job
from core.kernel import Permission
from core.plugins import PluginManifest, hookimpl
from core.signing.backends import Pkcs12SealBackend
from core.signing.registry import SealedSecret, SignerBackendType
from core.web.pages import MenuItem, SedeProcedure, Widget, actor_of, tenant_of

MANIFEST = PluginManifest(name="alpha", label="Alpha", version="0.1")

#: (hook name, tenant slug or detail) for every call received.
CALLS: list[tuple[str, str]] = []


class AlphaHappened(msgspec.Struct, frozen=True):
    """An event alpha emits."""

    note: str


@job("alpha.touch", max_retries=0)
async def touch(ctx: JobContext, note: str = "") -> None:
    CALLS.append(("job:alpha.touch", f"{ctx.tenant.slug}:{note}"))


@get("/ping")
async def ping(request: Request) -> dict[str, str]:
    tenant = tenant_of(request)  # none on the console face
    return {"plugin": "alpha", "tenant": tenant.slug if tenant else ""}


@get("/hola", opt={"permission": "alpha.view"})
async def hola(request: Request) -> dict[str, str]:
    return {"hola": tenant_of(request).slug}


@get("/prohibido", opt={"permission": "alpha.forbidden"})
async def prohibido(request: Request) -> dict[str, str]:
    return {"never": "reached"}


@post("/casos/{case:int}/preparar", opt={"permission": "alpha.view"})
async def prepare(request: Request, case: FromPath[int]) -> dict[str, str]:
    """Prepare a case: the history a duty rule reads is the audit trail."""
    await record(tenant_of(request).id, "alpha.prepared", actor=actor_of(request).audit_name,
                 target=f"alpha:{case}")
    return {"prepared": f"alpha:{case}"}


@post("/casos/{case:int}/aprobar",
      opt={"permission": "alpha.approve", "target": "alpha:{case}"})
async def approve(request: Request, case: FromPath[int]) -> dict[str, str]:
    await record(tenant_of(request).id, "alpha.approved", actor=actor_of(request).audit_name,
                 target=f"alpha:{case}")
    return {"approved": f"alpha:{case}"}


@hookimpl
def register_routes(register: Any) -> None:
    for face in ("staff", "sede", "api"):
        register(ping, face=face)
    register(hola, face="api")
    register(prohibido, face="api")
    register(prepare, face="api")
    register(approve, face="api")
    register(ping, face="console")


@hookimpl
def register_permissions(register: Any) -> None:
    register(Permission("alpha.view", "Ver alpha"), Permission("alpha.forbidden", "Nunca"),
             Permission("alpha.approve", "Aprobar casos alfa"))


@hookimpl
def register_duty_rules(register: Any) -> None:
    register(DutyRule(name="alpha-aprobacion", permission="alpha.approve",
                      conflicts=("alpha.prepared",), unless_also="alpha.approved",
                      message="Quien prepara un caso no puede ser quien lo aprueba en solitario"))


@hookimpl
def register_event_types(register: Any) -> None:
    register(AlphaHappened)


@hookimpl
def register_jobs(register: Any) -> None:
    register(touch)


@hookimpl
def register_schedules(register: Any) -> None:
    register(touch, every=timedelta(hours=1))


async def _hello(args: Any, kernel: Any) -> int:
    print(f"alpha says hello to {args.name}")
    return 0


@hookimpl
def register_commands(register: Any) -> None:
    register(Command(name="alpha-hello", help="greet",
                     configure=lambda p: p.add_argument("name"), run=_hello))


@hookimpl
def register_sede_procedures(register: Any) -> None:
    register(SedeProcedure(plugin="alpha", code="alpha-1", name="Trámite alfa",
                           description="Un trámite de prueba", form_path="alpha/ping"))


async def _widget_context(tenant: Any, actor: Any) -> dict[str, Any]:
    return {"greeting": f"widget for {tenant.slug}"}


@hookimpl
def register_dashboard_widgets(register: Any) -> None:
    register(Widget(plugin="alpha", title="Widget alfa", template="alpha/widget.html",
                    permission="alpha.view", context=_widget_context))


def _open_remote(config: dict[str, Any], secret: SealedSecret) -> Pkcs12SealBackend:
    """A stand-in for a remote signing service: the key travels as the sealed secret."""
    CALLS.append(("signer_backend", config["service"]))
    return Pkcs12SealBackend(secret.open(), config["password"].encode())


@hookimpl
def register_signer_backends(register: Any) -> None:
    register(SignerBackendType(name="alpha-remote", label="Firma remota alfa",
                               open=_open_remote))


@hookimpl
def menu_items(request: Any, tenant: Any, actor: Any) -> list[MenuItem]:
    CALLS.append(("menu_items", tenant.slug))
    return [MenuItem("Alfa", f"/{tenant.slug}/alpha/ping")]


@hookimpl
async def extra_template_vars(request: Any, tenant: Any) -> dict[str, Any]:
    CALLS.append(("extra_template_vars", tenant.slug))
    return {"alpha_marker": "ALPHA-MARKER"}


@hookimpl
def permission_allowed(actor: Any, permission: str, tenant: Any, target: str | None
                       ) -> bool | None:
    return False if permission == "alpha.forbidden" else None


@hookimpl
async def on_event(event: Any, tenant: Any) -> None:
    CALLS.append(("on_event", f"{tenant.slug}:{type(event).__name__}"))


@hookimpl
def on_plugin_enabled(plugin: str, tenant: Any) -> None:
    CALLS.append(("on_plugin_enabled", f"{tenant.slug}:{plugin}"))


@hookimpl
def on_plugin_disabled(plugin: str, tenant: Any) -> None:
    CALLS.append(("on_plugin_disabled", f"{tenant.slug}:{plugin}"))


@hookimpl
def beta_colors(register: Any) -> None:
    """A hook that plugin beta publishes with ``addhooks``."""
    register("azul")
