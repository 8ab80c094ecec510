"""The ``concejo`` command: serve, worker, scheduler, db, plugins, tenants, demo, audit.

Embedded data lives under ``./concejo-data`` unless ``CONCEJO_DATA_DIR`` or the settings
file say otherwise. Plugins add sub-commands with the ``register_commands`` hook.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec

from core.kernel import Kernel, boot
from core.settings import ENV_PREFIX, check_profile, load_settings


class Command(msgspec.Struct, frozen=True):
    """A sub-command a plugin contributes: how to parse it and what to run."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Kernel], Awaitable[int | None]]


async def _with_db(kernel: Kernel, body: Callable[[], Awaitable[Any]], *,
                   migrate: bool = True) -> Any:
    from core.tenancy.rls import cross_tenant

    await kernel.start(migrate=migrate)
    try:
        async with cross_tenant("command line"):  # the operator works on every entity
            return await body()
    finally:
        await kernel.stop()


def cmd_serve(args: argparse.Namespace, kernel: Kernel) -> int:
    """Migrate once, then run ``--workers`` web processes of the app factory."""
    import uvicorn

    from core.logs import configure_logging
    from core.metrics import MULTIPROC_ENV

    _follow_the_address(args, kernel)
    if args.demo:
        cmd_demo(args, kernel)
        os.environ[ENV_PREFIX + "DEMO_LOGIN"] = "true"  # the web processes read it
        print("Citizens: on a sede, «Identificarse» → «Cl@ve (demostración)» → a demo person.")
    if not args.no_migrate:
        asyncio.run(_with_db(kernel, lambda: _migrate(kernel), migrate=False))
    if args.workers > 1 and not os.environ.get(MULTIPROC_ENV):
        os.environ[MULTIPROC_ENV] = str(_fresh_dir(kernel.settings.data_path / "run"
                                                   / f"metrics-{args.port}"))
    configure_logging(kernel.settings)
    print(f"Concejo on http://{args.host}:{args.port}/  ({args.workers} web processes, "
          f"data: {kernel.settings.data_path})", flush=True)
    uvicorn.run("core.app:serve_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_config=None, access_log=False,
                timeout_graceful_shutdown=args.graceful_timeout, **server_options())
    return 0


def _follow_the_address(args: argparse.Namespace, kernel: Kernel) -> None:
    """Without a configured ``base_url``, the public address is where this command listens:
    the demo's CSVs and QR codes, e-mail links and the web processes (which read the
    environment) all name it."""
    if kernel.settings.base_url:
        return
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    url = f"http://{f'[{host}]' if ':' in host else host}:{args.port}"
    os.environ[ENV_PREFIX + "BASE_URL"] = url
    kernel.settings = msgspec.structs.replace(kernel.settings, base_url=url)


def server_options() -> dict[str, Any]:
    """uvicorn believes no proxy header: ``core.web.proxies`` does, from the proxies the
    ``trusted_proxies`` setting names (uvicorn's default trusts loopback)."""
    return {"proxy_headers": False, "forwarded_allow_ips": ""}


def _fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


async def _migrate(kernel: Kernel) -> None:
    """Apply pending migrations, one process at a time (several may start together)."""
    from core.leader import exclusively

    async with exclusively(kernel.settings.effective_database_url, "migrations"):
        await kernel.db.migrate()


def _serve_metrics(args: argparse.Namespace) -> None:
    """Expose this process's metrics (jobs, leadership) on ``--metrics-port``."""
    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=args.metrics_host)


def cmd_scheduler(args: argparse.Namespace, kernel: Kernel) -> int:
    """Queue periodic jobs and retry the outbox relay while this process is the leader."""
    from core.logs import configure_logging
    from core.scheduler import run_scheduler

    if kernel.settings.uses_embedded_jobs:
        raise SystemExit("error: concejo scheduler needs broker_url; without a broker the web "
                         "process schedules its own jobs")
    configure_logging(kernel.settings)
    _serve_metrics(args)

    async def body() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_scheduler(kernel, stop, every=args.every)

    print(f"Concejo scheduler: every {args.every:g} s", flush=True)
    asyncio.run(_with_db(kernel, body, migrate=False))
    return 0


def _lower_cpu_priority(priority: str) -> None:
    """Let web processes on the same host go first: ``low`` is nice 10, ``idle`` the Linux
    SCHED_IDLE class (the worker runs only on CPU nobody else wants; threads inherit it),
    nice 19 where there is no such class."""
    if priority == "low":
        os.nice(10)
    elif priority == "idle" and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif priority == "idle":
        os.nice(19)


def cmd_worker(args: argparse.Namespace, kernel: Kernel) -> int:
    """Run Dramatiq worker threads plus the outbox relay and the scheduler."""
    from core.logs import configure_logging

    configure_logging(kernel.settings)
    _lower_cpu_priority(args.cpu_priority)
    _serve_metrics(args)
    loop = kernel.jobs.runner.start_own_loop()
    asyncio.run_coroutine_threadsafe(kernel.start(migrate=False), loop).result()
    kernel.jobs.start_worker(loop, threads=args.threads)
    stop = asyncio.Event()

    async def relay_forever() -> None:
        while not stop.is_set():
            if not args.no_scheduler:
                await kernel.run_schedules()
            await kernel.jobs.relay()
            await asyncio.sleep(args.every)

    future = asyncio.run_coroutine_threadsafe(relay_forever(), loop)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    broker = kernel.settings.broker_url or "embedded"
    print(f"Concejo worker: {args.threads} threads, broker {broker}, CPU priority "
          f"{args.cpu_priority}", flush=True)
    try:
        future.result()
    finally:
        kernel.jobs.stop_worker()
    return 0


def cmd_db_migrate(args: argparse.Namespace, kernel: Kernel) -> int:
    asyncio.run(_with_db(kernel, lambda: _migrate(kernel), migrate=False))
    print("Migrations applied.")
    return 0


def cmd_db_makemigrations(args: argparse.Namespace, kernel: Kernel) -> int:
    """A new migration of an installed plugin's Piccolo app (``--auto`` from its tables)."""
    from piccolo.apps.migrations.commands.new import new

    apps = kernel.db.registry.app_configs
    if args.app not in apps:
        print(f"error: no installed plugin or kernel app {args.app!r} has a Piccolo app "
              f"({', '.join(sorted(apps))})", file=sys.stderr)
        return 2
    asyncio.run(_with_db(kernel, lambda: new(app_name=args.app, auto=True, desc=args.desc,
                                              auto_input="y"), migrate=False))
    return 0


def cmd_plugins_new(args: argparse.Namespace, kernel: Kernel) -> int:
    """Scaffold a plugin (see core.scaffold) and say what comes next."""
    from core.scaffold import ScaffoldError, new_plugin

    faces = tuple(f for f in args.faces.split(",") if f)
    try:
        written = new_plugin(args.name, label=args.label, root=args.root,
                             contrib=args.contrib, package=args.package, faces=faces)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Plugin {args.name} created ({len(written)} files, {written[-1].parents[0]}).")
    if args.package:
        print(f"Next: pip install -e {args.package}  (its pyproject.toml declares the "
              f"concejo.plugins entry point)")
    else:
        print(f"Declared in {(args.root or Path.cwd()) / 'pyproject.toml'} "
              f"[project.entry-points.\"concejo.plugins\"]; next: pip install -e .")
    print(f"Then: concejo db makemigrations {args.name} && concejo db migrate")
    return 0


def cmd_plugins_list(args: argparse.Namespace, kernel: Kernel) -> int:
    from core.tenancy.context import tenant_by_slug
    from core.tenancy.tables import Tenant


    async def body() -> None:
        tenants = [await tenant_by_slug(r["slug"])
                   for r in await Tenant.select(Tenant.slug).order_by(Tenant.slug)]
        for name, m in kernel.plugins.manifests.items():
            deps = f" (needs {', '.join(m.depends_on)})" if m.depends_on else ""
            print(f"{name:16} {m.version:8} {m.label}{deps}")
            for t in tenants:
                print(f"    {t.slug:32} {'enabled' if t.is_enabled(name) else '-'}")

    asyncio.run(_with_db(kernel, body))
    return 0


def cmd_tenants_list(args: argparse.Namespace, kernel: Kernel) -> int:
    from core.tenancy.context import tenant_by_slug
    from core.tenancy.tables import Tenant


    async def body() -> None:
        for row in await Tenant.select(Tenant.slug).order_by(Tenant.slug):
            t = await tenant_by_slug(row["slug"])
            demo = " [demo]" if t.demo else ""
            print(f"{t.slug:32} {t.kind:13} {t.dir3} {t.ine_code or '-':5} {t.name}{demo}"
                  f"  plugins: {', '.join(sorted(t.enabled)) or '-'}")

    asyncio.run(_with_db(kernel, body))
    return 0


def cmd_tenants_add(args: argparse.Namespace, kernel: Kernel) -> int:
    from core.tenancy.services import NewTenant, add_tenant

    try:
        data = msgspec.convert({
            "slug": args.slug, "kind": args.kind, "name": args.name, "dir3": args.dir3,
            "nif": args.nif, "ine_code": args.ine, "hosts": args.host or [],
            "parent_slug": args.parent, "community": args.community, "demo": args.demo},
            NewTenant)
    except msgspec.ValidationError as exc:
        raise SystemExit(f"error: {exc}") from exc
    tenant = asyncio.run(_with_db(kernel, lambda: add_tenant(data, actor=_operator())))
    print(f"Added {tenant.slug} ({tenant.dir3}).")
    return 0


def _set_plugin(args: argparse.Namespace, kernel: Kernel, enabled: bool) -> int:
    from core.tenancy.context import tenant_by_slug
    from core.tenancy.services import set_plugin

    settings = json.loads(args.settings) if getattr(args, "settings", None) else None

    async def body() -> None:
        tenant = await tenant_by_slug(args.slug)
        if tenant is None:
            raise SystemExit(f"error: no tenant {args.slug!r}")
        await set_plugin(tenant, args.plugin, enabled, actor=_operator(), settings=settings)

    asyncio.run(_with_db(kernel, body))
    print(f"{args.plugin} {'enabled' if enabled else 'disabled'} for {args.slug}.")
    return 0


def cmd_demo(args: argparse.Namespace, kernel: Kernel) -> int:
    from core.demo import load_demo
    from core.signing.devsetup import demo_signing

    async def body() -> list[str]:
        return [*await load_demo(), *await demo_signing()]

    for line in asyncio.run(_with_db(kernel, body)):
        print(line)
    base = kernel.settings.effective_base_url
    print(f"Log in at {base}/login ; console at {base}/diputacion/ ; a sede: {base}/sede/soria/")
    return 0


def cmd_users_add(args: argparse.Namespace, kernel: Kernel) -> int:
    """Create a staff user (idempotent) and grant a role in an entity."""
    from core.identity.services import ensure_user, grant_role
    from core.tenancy.context import tenant_by_slug

    password = os.environ.get("CONCEJO_USER_PASSWORD") or None
    if args.password_file:
        password = Path(args.password_file).read_text(encoding="utf-8").splitlines()[0]

    async def body() -> None:
        tenant = await tenant_by_slug(args.tenant)
        if tenant is None:
            raise SystemExit(f"error: no tenant {args.tenant!r}")
        await grant_role(await ensure_user(args.email, args.name, password), tenant.id,
                         args.role)

    asyncio.run(_with_db(kernel, body))
    print(f"{args.email} is {args.role} in {args.tenant}.")
    return 0


def cmd_backup(args: argparse.Namespace, kernel: Kernel) -> int:
    """Database, blobs, data-dir files and keys into one encrypted file."""
    from core.backup.crypto import read_passphrase
    from core.backup.service import backup

    passphrase = read_passphrase(args.passphrase_file)
    manifest = asyncio.run(_with_db(kernel, lambda: backup(kernel, Path(args.file), passphrase),
                                    migrate=False))
    rows = sum(manifest["tables"].values())
    print(f"Backup {args.file}: {len(manifest['tables'])} tables, {rows} rows, "
          f"{len(manifest['blobs'])} blobs, {len(manifest['files'])} files, "
          f"{len(manifest['audit_heads'])} audit chains.")
    for tenant, link in manifest["audit_broken"].items():
        print(f"WARNING: the audit chain of tenant {tenant} is broken at {link} "
              "(`concejo audit verify`)", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace, kernel: Kernel) -> int:
    """Restore into an empty database (migrated first), then verify what was restored."""
    from core.backup.crypto import read_passphrase
    from core.backup.service import restore

    passphrase = read_passphrase(args.passphrase_file)

    async def body() -> Any:
        await _migrate(kernel)
        return await restore(kernel, Path(args.file), passphrase)

    report = asyncio.run(_with_db(kernel, body, migrate=False))
    print(f"Restored {sum(report.tables.values())} rows in {len(report.tables)} tables, "
          f"{report.blobs} blobs, {report.files} files; {report.audit_chains} audit chains "
          "checked.")
    for note in report.notes:
        print(f"NOTE: {note}", file=sys.stderr)
    for problem in report.problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    print("Restore verified." if not report.problems else "Restore has problems.")
    return 1 if report.problems else 0


def cmd_audit_verify(args: argparse.Namespace, kernel: Kernel) -> int:
    from core.audit import checkpoints
    from core.audit.log import verify
    from core.tenancy.tables import Tenant


    async def body() -> int:
        where = Tenant.slug == args.tenant if args.tenant else None
        query = Tenant.select(Tenant.id, Tenant.slug)
        rows = await (query.where(where) if where is not None else query)
        last, problem = await _last_checkpoint()
        if problem or last is None:
            print(problem or "No signed checkpoint yet (`concejo audit checkpoint`): "
                             "chains checked alone.")
        seen = {h.tenant: h for h in last.checkpoint.heads} if last else {}
        broken = 0
        for row in rows:
            links = [await verify(row["id"])]
            if row["id"] in seen:
                links.append(await checkpoints.verify_against(seen[row["id"]], last))
            found = [link for link in links if link]
            broken += bool(found)
            for link in found:
                print(f"{row['slug']}: BROKEN at entry {link.seq}: {link.reason}")
            if not found:
                print(f"{row['slug']}: intact" + (" (checkpoint matches)"
                                                  if row["id"] in seen else ""))
        return 1 if broken or problem else 0

    return asyncio.run(_with_db(kernel, body))


async def _last_checkpoint() -> tuple[Any, str]:
    """The last stored checkpoint, its signature checked; or what is wrong with it (none
    yet, as on a new deployment, is not wrong: the chains are then checked alone)."""
    from core.audit import checkpoints

    names = await checkpoints.stored()
    if not names:
        return None, ""
    try:
        last = await checkpoints.load(names[-1])
    except (checkpoints.CheckpointError, OSError) as exc:
        return None, f"Checkpoint {names[-1]}: BROKEN: {exc}"
    return last, ""


def cmd_audit_checkpoint(args: argparse.Namespace, kernel: Kernel) -> int:
    from core.audit import checkpoints
    from core.errors import DomainError

    async def body() -> int:
        try:
            signed = await checkpoints.make()
        except (checkpoints.CheckpointError, DomainError) as exc:
            print(f"No checkpoint: {exc}", file=sys.stderr)
            return 1
        stamped = f", timestamped {signed.timestamped_at:%Y-%m-%d %H:%M:%S} UTC" \
            if signed.timestamped_at else ", no TSA (set tsa_url)"
        print(f"Checkpoint {signed.name}: {len(signed.checkpoint.heads)} chains, "
              f"sealed by {signed.signer}{stamped}.")
        return 0

    return asyncio.run(_with_db(kernel, body))


def cmd_audit_export(args: argparse.Namespace, kernel: Kernel) -> int:
    from core.audit import checkpoints

    async def body() -> int:
        copied = await checkpoints.export(Path(args.directory))
        print(f"{len(copied)} files copied to {args.directory}.")
        return 0

    return asyncio.run(_with_db(kernel, body))


def _operator() -> str:
    return f"cli:{os.environ.get('USER', 'operator')}"


def _metrics_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metrics-port", type=int, default=0,
                        help="serve Prometheus metrics of this process on this port")
    parser.add_argument("--metrics-host", default="127.0.0.1")


def build_parser(kernel_commands: list[Command]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="concejo", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app (embedded jobs unless a broker is set)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="load the demo province first")
    serve.add_argument("--workers", type=int, default=1, help="web processes")
    serve.add_argument("--no-migrate", action="store_true",
                       help="do not apply migrations first (run `concejo db migrate` instead)")
    serve.add_argument("--graceful-timeout", type=float, default=20.0,
                       help="seconds to finish requests in flight on SIGTERM")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run job workers, the outbox relay and scheduler")
    worker.add_argument("--threads", type=int, default=4)
    worker.add_argument("--every", type=float, default=5.0, help="relay period in seconds")
    worker.add_argument("--cpu-priority", choices=("normal", "low", "idle"),
                        default="normal",
                        help="on a host shared with web processes: low (nice 10) or idle "
                             "(runs only on spare CPU) so requests go first")
    worker.add_argument("--no-scheduler", action="store_true",
                        help="leave periodic jobs to `concejo scheduler`")
    _metrics_options(worker)
    worker.set_defaults(func=cmd_worker)

    scheduler = sub.add_parser("scheduler", help="queue periodic jobs (one leader of many)")
    scheduler.add_argument("--every", type=float, default=30.0, help="period in seconds")
    _metrics_options(scheduler)
    scheduler.set_defaults(func=cmd_scheduler)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("migrate", help="apply every pending migration").set_defaults(
        func=cmd_db_migrate)
    make = db.add_parser("makemigrations", help="write a new migration of a plugin's tables")
    make.add_argument("app", help="the plugin (Piccolo app) name")
    make.add_argument("--desc", default="", help="what the migration does")
    make.set_defaults(func=cmd_db_makemigrations)

    plugins = sub.add_parser("plugins", help="installed plugins").add_subparsers(
        dest="plugins_command", required=True)
    plugins.add_parser("list", help="plugins and their per-tenant enablement").set_defaults(
        func=cmd_plugins_list)
    new = plugins.add_parser("new", help="scaffold a plugin with every room of the guide")
    new.add_argument("name", help="the plugin name: lower case, digits and _")
    new.add_argument("--label", default="", help="its Spanish label")
    place = new.add_mutually_exclusive_group()
    place.add_argument("--contrib", action="store_true",
                       help="under plugins_contrib/ (default: plugins/, built-in)")
    place.add_argument("--package", type=Path, metavar="DIR",
                       help="a package of its own in DIR, with its pyproject.toml")
    new.add_argument("--root", type=Path, default=None,
                     help="the Concejo checkout (default: the current directory)")
    new.add_argument("--faces", default="staff,sede,api",
                     help="comma-separated faces: staff, sede, api")
    new.set_defaults(func=cmd_plugins_new)

    tenants = sub.add_parser("tenants", help="entities").add_subparsers(
        dest="tenants_command", required=True)
    tenants.add_parser("list").set_defaults(func=cmd_tenants_list)
    add = tenants.add_parser("add", help="add an entity")
    for name in ("slug", "kind", "name", "dir3", "nif"):
        add.add_argument(f"--{name}", required=True)
    add.add_argument("--ine")
    add.add_argument("--host", action="append")
    add.add_argument("--parent")
    add.add_argument("--community", help="comunidad autónoma, ISO 3166-2:ES code (CL, GA…)")
    add.add_argument("--demo", action="store_true")
    add.set_defaults(func=cmd_tenants_add)
    for verb, enabled in (("enable", True), ("disable", False)):
        p = tenants.add_parser(verb, help=f"{verb} a plugin for an entity")
        p.add_argument("slug")
        p.add_argument("plugin")
        if enabled:
            p.add_argument("--settings", help="JSON object of plugin settings")
        p.set_defaults(func=lambda a, k, e=enabled: _set_plugin(a, k, e))

    users = sub.add_parser("users", help="staff users").add_subparsers(
        dest="users_command", required=True)
    user = users.add_parser("add", help="create a staff user and grant a role in an entity")
    user.add_argument("email")
    user.add_argument("--name", required=True)
    user.add_argument("--tenant", required=True)
    user.add_argument("--role", required=True)
    user.add_argument("--password-file", help="file whose first line is the password (else "
                                              "the variable CONCEJO_USER_PASSWORD)")
    user.set_defaults(func=cmd_users_add)

    for name, func, text in (("backup", cmd_backup, "write an encrypted backup"),
                             ("restore", cmd_restore, "restore a backup into an empty "
                              "database and verify it")):
        p = sub.add_parser(name, help=text)
        p.add_argument("file")
        p.add_argument("--passphrase-file",
                       help="file whose first line is the passphrase (else the variable "
                            "CONCEJO_BACKUP_PASSPHRASE)")
        p.set_defaults(func=func)

    sub.add_parser("demo", help="load the demo province (safe to repeat)").set_defaults(
        func=cmd_demo)

    audit = sub.add_parser("audit", help="audit log").add_subparsers(
        dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="check every chain; exit 1 naming a broken link")
    verify.add_argument("--tenant")
    verify.set_defaults(func=cmd_audit_verify)
    audit.add_parser("checkpoint", help="seal the head of every chain into a checkpoint"
                     ).set_defaults(func=cmd_audit_checkpoint)
    export = audit.add_parser("export-checkpoints",
                              help="copy every signed checkpoint into a directory")
    export.add_argument("directory")
    export.set_defaults(func=cmd_audit_export)

    for command in kernel_commands:
        p = sub.add_parser(command.name, help=command.help)
        command.configure(p)
        p.set_defaults(plugin_command=command)
    return parser


def main(argv: list[str] | None = None) -> int:
    from core.errors import DomainError

    settings = load_settings()
    check_profile(settings)
    kernel = boot(settings)
    parser = build_parser(kernel.commands)
    args = parser.parse_args(argv)
    try:
        if getattr(args, "plugin_command", None):
            result = asyncio.run(_with_db(kernel, lambda: args.plugin_command.run(args, kernel)))
            return int(result or 0)
        return int(args.func(args, kernel) or 0)
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
