"""Every kernel hook: the plugin API of Concejo.

Kinds, by name: ``register_*`` hooks are called once at boot and collect things through a
``register`` callback; ``on_*`` hooks are events and return nothing; noun hooks are
per-request contributions. Each spec has a one-line docstring; ``docs/hooks.md`` documents
each with an example (a test fails when one is missing).

Each ``register`` callback has a ``typing.Protocol`` here (``RegisterPermissions``, …), so a
plugin author's editor and mypy check the calls: annotate a hook implementation with it,
``def register_permissions(register: RegisterPermissions) -> None``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

    from core.cli import Command
    from core.identity.duties import DutyRule
    from core.identity.providers import IdentityProvider
    from core.jobs import Job
    from core.kernel import Permission
    from core.signing.registry import SignerBackendType
    from core.web.pages import SedeProcedure, Widget

hookspec = pluggy.HookspecMarker("concejo")


class RegisterRoutes(Protocol):
    """``register(handler, ..., face="staff" | "sede" | "api" | "console")``."""

    def __call__(self, *handlers: ControllerRouterHandler, face: str = "staff") -> None: ...


class RegisterPermissions(Protocol):
    """``register(Permission("<plugin>.<verb>", "Etiqueta"), ...)``."""

    def __call__(self, *permissions: Permission) -> None: ...


class RegisterRoleGrants(Protocol):
    """``register("<plugin>.*", ..., role="tramitador")``: patterns of the plugin's own
    permissions that a built-in role grants (``-pattern`` withdraws)."""

    def __call__(self, *patterns: str, role: str) -> None: ...


class RegisterEventTypes(Protocol):
    """``register(MyEvent, ...)``: msgspec Struct classes."""

    def __call__(self, *event_types: type[Any]) -> None: ...


class RegisterJobs(Protocol):
    """``register(job, ...)``: functions decorated with ``core.jobs.job``."""

    def __call__(self, *jobs: Job) -> None: ...


class RegisterSchedules(Protocol):
    """``register(job, every=timedelta(hours=1))``."""

    def __call__(self, *jobs: Job, every: timedelta) -> None: ...


class RegisterCommands(Protocol):
    """``register(Command(...), ...)``."""

    def __call__(self, *commands: Command) -> None: ...


class RegisterSedeProcedures(Protocol):
    """``register(SedeProcedure(...), ...)``."""

    def __call__(self, *procedures: SedeProcedure) -> None: ...


class RegisterDashboardWidgets(Protocol):
    """``register(Widget(...), ...)``."""

    def __call__(self, *widgets: Widget) -> None: ...


class RegisterIdentityProviders(Protocol):
    """``register(provider, ...)``: objects following ``IdentityProvider``."""

    def __call__(self, *providers: IdentityProvider) -> None: ...


class RegisterDutyRules(Protocol):
    """``register(DutyRule(...), ...)``."""

    def __call__(self, *rules: DutyRule) -> None: ...


class RegisterSignerBackends(Protocol):
    """``register(SignerBackendType(...), ...)``."""

    def __call__(self, *backends: SignerBackendType) -> None: ...


@hookspec(historic=True)
def addhooks(pm: pluggy.PluginManager) -> None:
    """Let a plugin publish hooks of its own for other plugins (``pm.add_hookspecs``)."""


@hookspec
def register_routes(register: RegisterRoutes) -> None:
    """Register Litestar handlers or controllers: ``register(handler, face="staff")``."""


@hookspec
def register_permissions(register: RegisterPermissions) -> None:
    """Register permissions ``<plugin>.<verb>``: ``register(Permission(...))``."""


@hookspec
def register_role_grants(register: RegisterRoleGrants) -> None:
    """Grant the plugin's permissions to built-in roles: ``register("x.*", role="tramitador")``."""


@hookspec
def register_event_types(register: RegisterEventTypes) -> None:
    """Register the msgspec Struct types of the domain events the plugin emits."""


@hookspec
def register_jobs(register: RegisterJobs) -> None:
    """Register the plugin's background jobs (functions decorated with ``core.jobs.job``)."""


@hookspec
def register_schedules(register: RegisterSchedules) -> None:
    """Register periodic jobs: ``register(job, every=timedelta(...))``, run per enabled tenant."""


@hookspec
def register_commands(register: RegisterCommands) -> None:
    """Register ``concejo`` sub-commands: ``register(Command(...))``."""


@hookspec
def register_sede_procedures(register: RegisterSedeProcedures) -> None:
    """Register procedures for the sede's catálogo de trámites: ``register(SedeProcedure(...))``."""


@hookspec
def sede_procedures(tenant: Any) -> list[Any] | None:
    """Return this tenant's own procedures for the catálogo (``SedeProcedure``, ``own=True``)."""


@hookspec
def register_dashboard_widgets(register: RegisterDashboardWidgets) -> None:
    """Register staff dashboard widgets: ``register(Widget(...))``."""


@hookspec
def register_identity_providers(register: RegisterIdentityProviders, settings: Any) -> None:
    """Register ways to log in (``IdentityProvider``: OIDC, certificates, …) from settings."""


@hookspec
def register_duty_rules(register: RegisterDutyRules) -> None:
    """Register segregation-of-duties rules: ``register(DutyRule(...))``."""


@hookspec
def register_signer_backends(register: RegisterSignerBackends) -> None:
    """Register ways to open signing keys (HSM, remote service): ``register(SignerBackendType)``."""


@hookspec
def menu_items(request: Any, tenant: Any, actor: Any) -> list[Any] | None:
    """Return the plugin's navigation entries (``MenuItem``) for this request, or None."""


@hookspec
def extra_template_vars(request: Any, tenant: Any) -> dict[str, Any] | None:
    """Return extra variables for every template rendered in this request."""


@hookspec
def carpeta_sections(request: Any, tenant: Any, actor: Any) -> list[Any] | None:
    """Return the citizen's sections of the carpeta ciudadana (``CarpetaSection``), or None."""


@hookspec
def authenticate(request: Any, tenant: Any) -> Any | None:
    """Return the ``Actor`` behind a request, or None; the first non-None result wins.

    Not ``firstresult``: implementations may be async, and a coroutine is never None. Every
    enabled plugin's implementation is called (then awaited) in pluggy's order — last
    registered first, so plugins before the kernel's session and token check — and the
    first non-None actor in that order is the request's."""


@hookspec
def permission_allowed(actor: Any, permission: str, tenant: Any, target: str | None
                       ) -> bool | None:
    """Veto a permission check (on ``target``, when given); any False denies."""


@hookspec
def on_event(event: Any, tenant: Any) -> None:
    """React to a committed domain event of this tenant (runs in a job, after commit)."""


@hookspec
def on_plugin_enabled(plugin: str, tenant: Any) -> None:
    """Called after a plugin is enabled for a tenant (for example to seed its data)."""


@hookspec
def on_plugin_disabled(plugin: str, tenant: Any) -> None:
    """Called after a plugin is disabled for a tenant."""


@hookspec
def on_demo_loaded(tenant: Any) -> None:
    """Called by ``concejo demo`` for each entity once its plugins are enabled: seed examples."""
