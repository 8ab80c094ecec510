"""``create_app(settings)``: one Litestar app with three faces and the JSON API.

Plugin routes are mounted under their face and prefix, with the plugin name in ``opt`` so
the request guard can answer 404 for tenants that have not enabled it:

- staff backoffice: ``/<tenant>/<plugin>/…``
- public sede electrónica: ``/sede/<tenant>/<plugin>/…``
- JSON API: ``/api/v1/<tenant>/<plugin>/…`` (OpenAPI at ``/schema``)
- diputación console: ``/diputacion/<plugin>/…``
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from core.documents.controllers import ROUTES as DOCUMENT_ROUTES
from core.kernel import Kernel, boot
from core.logs import configure_logging
from core.settings import Settings, check_profile, load_settings
from core.signing.controllers import ROUTES as SIGNING_ROUTES
from core.tenancy.context import tenant_by_host
from core.tenancy.rls import RequestScopeMiddleware
from core.tenancy.services import RESERVED_SLUGS
from core.web import formats, i18n, labels
from core.web.bounds import refuse_bad_input
from core.web.csrf import SessionCSRFMiddleware
from core.web.errors import handle_exception
from core.web.guards import request_guard
from core.web.language import remember_language
from core.web.observability import OBSERVABILITY_ROUTES
from core.web.proxies import ForwardedMiddleware
from core.web.routes import KERNEL_ROUTES
from core.web.traffic import TrafficMiddleware

WEB_DIR = Path(__file__).parent / "web"
FACES = {
    "staff": "/{tenant_slug:str}/%s",
    "sede": "/sede/{tenant_slug:str}/%s",
    "api": "/api/v1/{tenant_slug:str}/%s",
    "console": "/diputacion/%s",
}


SWAGGER_STATIC = "/static/swagger"


def _openapi() -> tuple[OpenAPIConfig, Router]:
    """The OpenAPI document and Swagger UI (``/schema/swagger``) with its assets served
    from our own origin (the ``swagger-ui-bundle-v2`` package), never from a CDN."""
    from swagger_ui_bundle import swagger_ui_path

    swagger = SwaggerRenderPlugin(
        js_url=f"{SWAGGER_STATIC}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_STATIC}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_STATIC}/swagger-ui-standalone-preset.js",
        favicon=f'<link rel="icon" type="image/png" href="{SWAGGER_STATIC}/favicon-32x32.png">')
    assets = create_static_files_router(path=SWAGGER_STATIC, directories=[swagger_ui_path],
                                        name="static-swagger", include_in_schema=False)
    return OpenAPIConfig(title="Concejo API", version="1", path="/schema",
                         render_plugins=[swagger]), assets


def _plugin_dirs(kernel: Kernel, sub: str) -> list[Path]:
    dirs = []
    for module in kernel.plugins.modules.values():
        folder = Path(module.__file__).parent / sub
        if folder.is_dir():
            dirs.append(folder)
    return dirs


def template_environment(kernel: Kernel) -> Environment:
    """Tenant theme → plugins → core (``core:base.html``)."""
    themes = kernel.settings.data_path / "themes"
    loader = ChoiceLoader([
        FileSystemLoader(str(themes)),
        FileSystemLoader([str(d) for d in _plugin_dirs(kernel, "templates")]),
        PrefixLoader({"core": FileSystemLoader(str(WEB_DIR / "templates"))}, delimiter=":"),
    ])
    env = Environment(loader=loader, autoescape=select_autoescape(["html", "xml"]),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.filters.update(formats.FILTERS)
    env.filters.update(labels.FILTERS)
    return env


def plugin_routers(kernel: Kernel) -> list[Router]:
    routers = []
    for owner, item in kernel.plugins.collect("register_routes"):
        handler, options = item if isinstance(item, tuple) else (item, {})
        face = options.get("face", "staff")
        if face not in FACES:
            raise ValueError(f"Plugin {owner}: unknown face {face!r}; use {sorted(FACES)}")
        routers.append(Router(path=FACES[face] % owner, route_handlers=[handler],
                              opt={"plugin": owner, "face": face}, tags=[owner]))
    return routers


class HostMiddleware:
    """Serve an entity's sede on its own host name: ``sede.example.es/x`` → ``/sede/<slug>/x``."""

    def __init__(self, app: ASGIApp, ttl: float = 30.0) -> None:
        self.app = app
        self.ttl = ttl
        self._cache: dict[str, tuple[float, str | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode().split(":")[0].lower()
            slug = await self._slug_for(host) if host else None
            first = scope["path"].strip("/").split("/", 1)[0]
            if slug and first not in RESERVED_SLUGS:
                scope = {**scope, "path": f"/sede/{slug}{scope['path']}",
                         "raw_path": f"/sede/{slug}{scope['path']}".encode()}
        await self.app(scope, receive, send)

    async def _slug_for(self, host: str) -> str | None:
        hit = self._cache.get(host)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        tenant = await tenant_by_host(host)
        slug = tenant.slug if tenant else None
        self._cache[host] = (time.monotonic() + self.ttl, slug)
        return slug


def create_app(settings: Settings | None = None, *, kernel: Kernel | None = None,
               run_worker: bool | None = None, scheduler: bool = False,
               migrate: bool = True) -> Litestar:
    """Build the app; boots a kernel from ``settings`` unless one is given.

    ``run_worker`` (default: when no broker is configured) runs the Dramatiq worker in
    this process; ``scheduler`` also queues periodic jobs and retries the outbox relay;
    ``migrate`` applies pending migrations at startup (``concejo serve`` does it once
    before starting its web processes, which then start without).
    """
    settings = settings or load_settings()
    kernel = kernel or boot(settings)
    i18n.install(i18n.Catalogs([WEB_DIR / "locale", *_plugin_dirs(kernel, "locale")]))
    embedded_worker = kernel.settings.uses_embedded_jobs if run_worker is None else run_worker

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await kernel.start(migrate=migrate)
        tasks: list[asyncio.Task[Any]] = []
        if embedded_worker:
            kernel.jobs.start_worker(asyncio.get_running_loop())
        if scheduler:
            tasks.append(asyncio.create_task(_periodic(kernel)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            if embedded_worker:
                await asyncio.to_thread(kernel.jobs.stop_worker)
            await kernel.stop()

    static = [create_static_files_router(path="/static/core", directories=[WEB_DIR / "static"],
                                         name="static-core")]
    for folder in _plugin_dirs(kernel, "static"):
        name = folder.parent.name
        static.append(create_static_files_router(path=f"/static/{name}", directories=[folder],
                                                 name=f"static-{name}"))
    openapi, swagger_assets = _openapi()
    app = Litestar(
        route_handlers=[*KERNEL_ROUTES, *OBSERVABILITY_ROUTES, *DOCUMENT_ROUTES,
                        *SIGNING_ROUTES, *plugin_routers(kernel),
                        *static, swagger_assets],
        guards=[request_guard],
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(template_environment(kernel))),
        openapi_config=openapi,
        exception_handlers={Exception: handle_exception},
        before_request=refuse_bad_input,
        before_send=[remember_language],
        middleware=[ForwardedMiddleware, RequestScopeMiddleware,
                    DefineMiddleware(SessionCSRFMiddleware, config=CSRFConfig(
                        secret=settings.effective_secret_key().decode(),
                        cookie_name="csrftoken", cookie_samesite="strict"))],
        lifespan=[lifespan],
        debug=settings.debug,
    )
    app.state.kernel = kernel
    return app


def create_asgi(kernel: Kernel, *, migrate: bool = True) -> HostMiddleware:
    """The served application: the app behind the host-name mapping and the per-tenant
    traffic handling (rate limit, metrics, access log), which run before routing, so they
    wrap the app instead of being Litestar middleware."""
    app = create_app(kernel.settings, kernel=kernel, migrate=migrate,
                     scheduler=kernel.settings.uses_embedded_jobs)
    return HostMiddleware(TrafficMiddleware(app, kernel.settings))


def serve_app() -> HostMiddleware:
    """App factory for web processes (``concejo serve --workers N``, ``uvicorn --factory``):
    settings from the environment, migrations left to ``concejo db migrate``.

    What start-up built (modules, plugins, routes, templates) lives as long as the process,
    so it is frozen out of the garbage collector's reach: otherwise every full collection
    walks it again, 100–190 ms during which the process answers nothing
    (``benchmarks/registro.py`` showed them as the p99)."""
    settings = load_settings()
    check_profile(settings)
    app = create_asgi(boot(settings), migrate=False)
    configure_logging(settings)
    gc.freeze()
    return app


async def _periodic(kernel: Kernel, every: float = 30.0) -> None:
    """Embedded scheduler: queue periodic jobs and retry the outbox relay."""
    while True:
        await kernel.run_schedules()
        await kernel.jobs.relay()
        await asyncio.sleep(every)
