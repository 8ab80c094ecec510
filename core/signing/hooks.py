"""Kernel hooks of signing: built-in backends, permissions, flow events, the signer's menu
entry and ``concejo pki dev``."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli import Command
from core.documents.demo import demo_document
from core.plugins import hookimpl
from core.web.i18n import gettext as _
from core.web.pages import MenuItem

from . import permissions
from .devsetup import provision_dev_pki
from .flows import pending_for
from .registry import PKCS11, PKCS12
from .schemas import SignatureFlowCompleted, SignatureFlowRejected


def _configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="pki_command", required=True)
    dev = sub.add_parser("dev", help="test CA, a seal per entity, certificates for members")
    dev.add_argument("--tenant", action="append", help="only this entity (repeatable)")


async def _run(args: argparse.Namespace, kernel: Any) -> int:
    report = await provision_dev_pki(args.tenant)
    print(f"Development PKI in {report.directory} (NOT for production).")
    print(f"Seals installed: {', '.join(report.seals) or 'none new'}")
    print(f"Personal certificates installed: {len(report.people)}")
    return 0


@hookimpl
def register_signer_backends(register: Any) -> None:
    register(PKCS12, PKCS11)


@hookimpl
def register_permissions(register: Any) -> None:
    register(permissions.SIGN, permissions.REQUEST, permissions.VIEW)


@hookimpl
def register_event_types(register: Any) -> None:
    register(SignatureFlowCompleted, SignatureFlowRejected)


@hookimpl
def register_commands(register: Any) -> None:
    register(Command(name="pki", help="signing certificates", configure=_configure, run=_run))


@hookimpl(tryfirst=True)  # before the plugins' examples, which may issue sealed documents
async def on_demo_loaded(tenant: Any) -> None:
    await provision_dev_pki([tenant.slug])
    await demo_document(tenant)


@hookimpl
async def menu_items(request: Any, tenant: Any, actor: Any) -> list[MenuItem] | None:
    if request.url.path.startswith("/sede/") or not actor.can(permissions.SIGN.name):
        return None
    waiting = len(await pending_for(tenant, actor.user_id)) if actor.user_id else 0
    label = _("Portafirmas") + (f" ({waiting})" if waiting else "")
    return [MenuItem(label, f"/{tenant.slug}/firma/")]
