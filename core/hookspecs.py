"""Every kernel hook: the plugin API of Concejo.

Kinds, by name: ``register_*`` hooks are called once at boot and collect things through a
``register`` callback; ``on_*`` hooks are events and return nothing; noun hooks are
per-request contributions. Each spec has a one-line docstring; ``docs/hooks.md`` documents
each with an example (a test fails when one is missing).
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("concejo")


@hookspec(historic=True)
def addhooks(pm: pluggy.PluginManager) -> None:
    """Let a plugin publish hooks of its own for other plugins (``pm.add_hookspecs``)."""


@hookspec
def register_routes(register: Any) -> None:
    """Register Litestar handlers or controllers: ``register(handler, face="staff")``."""


@hookspec
def register_permissions(register: Any) -> None:
    """Register permissions ``<plugin>.<verb>``: ``register(Permission(...))``."""


@hookspec
def register_event_types(register: Any) -> None:
    """Register the msgspec Struct types of the domain events the plugin emits."""


@hookspec
def register_jobs(register: Any) -> None:
    """Register the plugin's background jobs (functions decorated with ``core.jobs.job``)."""


@hookspec
def register_schedules(register: Any) -> None:
    """Register periodic jobs: ``register(job, every=timedelta(...))``, run per enabled tenant."""


@hookspec
def register_commands(register: Any) -> None:
    """Register ``concejo`` sub-commands: ``register(Command(...))``."""


@hookspec
def register_sede_procedures(register: Any) -> None:
    """Register procedures for the sede's catálogo de trámites: ``register(SedeProcedure(...))``."""


@hookspec
def sede_procedures(tenant: Any) -> list[Any] | None:
    """Return this tenant's own procedures for the catálogo (``SedeProcedure``, ``own=True``)."""


@hookspec
def register_dashboard_widgets(register: Any) -> None:
    """Register staff dashboard widgets: ``register(Widget(...))``."""


@hookspec
def register_identity_providers(register: Any, settings: Any) -> None:
    """Register ways to log in (``IdentityProvider``: OIDC, certificates, …) from settings."""


@hookspec
def register_duty_rules(register: Any) -> None:
    """Register segregation-of-duties rules: ``register(DutyRule(...))``."""


@hookspec
def register_signer_backends(register: Any) -> None:
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
    """Return the ``Actor`` behind a request, or None; the first non-None result wins."""


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
