"""The calendar's kernel hooks: its permission and the ``concejo calendar`` command.

``concejo calendar load --year 2026 [--community CL]`` loads a year for every entity;
``show``, ``local`` and ``closure`` read and complete one entity's calendar.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import Any

from core.calendar_app import services
from core.calendar_app.permissions import CALENDAR
from core.cli import Command
from core.plugins import hookimpl
from core.tenancy.context import TenantContext, tenant_by_slug


def _actor() -> str:
    return f"cli:{os.environ.get('USER', 'operator')}"


async def _tenant(slug: str) -> TenantContext:
    tenant = await tenant_by_slug(slug)
    if tenant is None:
        raise SystemExit(f"error: no tenant {slug!r}")
    return tenant


def _day(text: str) -> services.DayIn:
    """``2026-06-24=San Juan`` → a day to declare."""
    day, sep, name = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: use YYYY-MM-DD=Name")
    return services.DayIn(date=dt.date.fromisoformat(day), name=name.strip())


def _configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="calendar_command", required=True)
    load = sub.add_parser("load", help="load a year's national and autonomic days")
    load.add_argument("--year", type=int, required=True)
    load.add_argument("--community", help="only entities of this comunidad autónoma (CL…)")
    show = sub.add_parser("show", help="an entity's non-working days of a year")
    show.add_argument("slug")
    show.add_argument("--year", type=int, required=True)
    local = sub.add_parser("local", help="declare an entity's fiestas locales (at most 2)")
    local.add_argument("slug")
    local.add_argument("--year", type=int, required=True)
    local.add_argument("--day", type=_day, action="append", default=[],
                       help="YYYY-MM-DD=Name, repeatable")
    closure = sub.add_parser("closure", help="declare a day the registry is closed")
    closure.add_argument("slug")
    closure.add_argument("day", type=_day, help="YYYY-MM-DD=Reason")
    closure.add_argument("--office", help="DIR3 code of the office, if only one closes")


async def _run(args: argparse.Namespace, kernel: Any) -> int:
    if args.calendar_command == "load":
        report = await services.load_year(args.year, community=args.community, actor=_actor())
        print(f"{args.year}: loaded for {len(report.loaded)} entities")
        for slug, reason in report.skipped.items():
            print(f"  skipped {slug}: {reason}")
        return 0 if report.loaded else 1
    tenant = await _tenant(args.slug)
    if args.calendar_command == "show":
        calendar = await services.calendar_of(tenant)
        if args.year not in calendar.years:
            print(f"error: no calendar loaded for {args.year} in {tenant.slug}")
            return 1
        for day in calendar.non_working_days(args.year):
            print(f"{day.date}  {day.scope:10} {day.region or '-':9} {day.name}")
    elif args.calendar_command == "local":
        await services.set_local_days(tenant, args.year, args.day, actor=_actor())
        print(f"{tenant.slug}: {len(args.day)} fiestas locales in {args.year}")
    else:
        day = services.DayIn(date=args.day.date, name=args.day.name, office=args.office)
        await services.add_registro_closure(tenant, day, actor=_actor())
        print(f"{tenant.slug}: registry closed on {day.date}")
    return 0


@hookimpl
def register_permissions(register: Any) -> None:
    register(CALENDAR)


@hookimpl
def register_commands(register: Any) -> None:
    register(Command(name="calendar", help="working-day calendars of the entities",
                     configure=_configure, run=_run))
