"""Boot: settings → plugins → database → jobs; the one object the app, CLI and worker share."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from types import ModuleType

import msgspec

from core import jobs as jobs_module
from core.db import Database, app_modules_for
from core.documents.blobs import blob_store_from_url
from core.identity.actor import ROLE_PERMISSIONS
from core.jobs import Job, JobSystem, Schedule
from core.plugins import Plugins, load_plugins
from core.settings import Settings
from core.signing.registry import SigningServices

log = logging.getLogger(__name__)

_current: Kernel | None = None


class Permission(msgspec.Struct, frozen=True):
    """A permission a plugin declares, named ``<plugin>.<verb>``."""

    name: str
    label: str


def role_patterns(plugins: Plugins) -> dict[str, tuple[str, ...]]:
    """The built-in roles' patterns: the kernel's, then those plugins add for their own
    permissions (``register_role_grants``); a plugin may grant only ``<plugin>.…`` names."""
    patterns = {role: list(kernel_patterns) for role, kernel_patterns in ROLE_PERMISSIONS.items()}
    for owner, (pattern, options) in plugins.collect("register_role_grants"):
        role = options["role"]
        if role not in patterns:
            raise ValueError(f"Plugin {owner} grants to unknown role {role!r}; "
                             f"roles: {', '.join(patterns)}")
        if owner and not pattern.removeprefix("-").startswith(owner + "."):
            raise ValueError(f"Role grant {pattern} of {owner} must start with {owner}.")
        patterns[role].append(pattern)
    return {role: tuple(items) for role, items in patterns.items()}


class Kernel:
    """Everything booted once per process and shared by requests and jobs."""

    def __init__(self, settings: Settings, plugins: Plugins, database: Database) -> None:
        self.settings = settings
        self.plugins = plugins
        self.db = database
        self.permissions: dict[str, Permission] = {}
        for owner, perm in plugins.collect("register_permissions"):
            if owner and not perm.name.startswith(owner + "."):
                raise ValueError(f"Permission {perm.name} of {owner} must start with {owner}.")
            self.permissions[perm.name] = perm
        self.role_patterns = role_patterns(plugins)
        self.event_types: dict[str, type[msgspec.Struct]] = {}
        from core.events import deliver, event_name

        for _, event_type in plugins.collect("register_event_types"):
            self.event_types[event_name(event_type)] = event_type
        declared: list[Job] = []
        for owner, item in plugins.collect("register_jobs"):
            if owner and item.plugin != owner:
                raise ValueError(f"Job {item.name} of plugin {owner} must start with {owner}.")
            declared.append(item)
        from core.audit import checkpoints

        declared.append(checkpoints.scheduled)
        self.checkpoint_schedule = Schedule(checkpoints.scheduled,
                                            timedelta(hours=settings.audit_checkpoint_hours))
        self.jobs = JobSystem(settings.broker_url, declared, deliver,
                              settings.effective_secret_key())
        self.schedules = [Schedule(item, options["every"])
                          for _, (item, options) in plugins.collect("register_schedules")]
        self.sede_procedures = [item for _, item in plugins.collect("register_sede_procedures")]
        self.widgets = [item for _, item in plugins.collect("register_dashboard_widgets")]
        self.commands = [item for _, item in plugins.collect("register_commands")]
        self.blobs = blob_store_from_url(settings.effective_blob_url)
        self.signing = SigningServices(
            [item for _, item in plugins.collect("register_signer_backends")],
            settings.effective_master_key, settings.tsa_url)
        self.identity_providers = {item.name: item for _, item in plugins.collect(
            "register_identity_providers", settings=settings)}
        self.duty_rules = [item for _, item in plugins.collect("register_duty_rules")]

    async def start(self, *, migrate: bool = True) -> None:
        if migrate:  # first: it creates the role the runtime pool logs in as
            await self.db.migrate()
        await self.db.start()

    async def stop(self) -> None:
        await self.db.stop()

    async def run_schedules(self, now: datetime | None = None) -> int:
        """Queue each periodic job for every tenant with its plugin enabled, once per slot."""
        from core.tenancy.rls import cross_tenant

        async with cross_tenant("scheduler"):
            return await self._run_schedules(now or datetime.now(UTC))

    async def _run_schedules(self, now: datetime) -> int:
        from core.tenancy.tables import TenantPlugin

        queued = 0
        for schedule in self.schedules:
            tenants = await TenantPlugin.select(TenantPlugin.tenant).where(
                (TenantPlugin.plugin == schedule.job.plugin) & (TenantPlugin.enabled == True)  # noqa: E712
            )
            for row in tenants:
                await schedule.job.send(row["tenant"], key=f"slot-{schedule.slot(now)}")
                queued += 1
        from core.tenancy.context import operator_tenant

        operator = await operator_tenant()  # the audit checkpoint: once, by the diputación
        if operator is not None:
            checkpoint = self.checkpoint_schedule
            await checkpoint.job.send(operator.id, key=f"slot-{checkpoint.slot(now)}")
            queued += 1
        return queued


def boot(settings: Settings, extra_plugins: Iterable[ModuleType | str] = (),
         *, include_defaults: bool = True) -> Kernel:
    """Load plugins and bind the database; becomes the process's current kernel."""
    global _current
    plugins = load_plugins(settings.disable_plugins, extra_plugins,
                           include_defaults=include_defaults)
    module_paths = [m.__name__ for m in plugins.modules.values()]
    database = Database(settings.effective_database_url, app_modules_for(module_paths),
                        settings.database_runtime_url)
    kernel = Kernel(settings, plugins, database)
    _current = kernel
    jobs_module.set_relay(kernel.jobs.relay)
    return kernel


def current() -> Kernel:
    if _current is None:
        raise RuntimeError("Concejo kernel not booted")
    return _current
