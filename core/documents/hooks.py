"""Kernel hooks of document records: permissions, events, menus and ``concejo blobs``.

``concejo blobs fsck`` re-hashes every blob of the store and exits 1 naming each corrupt or
missing one and the documents that use it.
"""

from __future__ import annotations

import argparse
from typing import Any

from core.cli import Command
from core.documents import permissions
from core.documents.fixity import fsck
from core.documents.schemas import DocumentIssued, DocumentUploaded
from core.plugins import hookimpl
from core.web.i18n import gettext as _
from core.web.pages import MenuItem


def _configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="blobs_command", required=True)
    sub.add_parser("fsck", help="re-hash every blob; report corrupt and missing ones")


async def _run(args: argparse.Namespace, kernel: Any) -> int:
    report = await fsck()
    for damage in report.damaged:
        print(f"{damage.problem.upper()} {damage.sha256}: {damage.detail}")
        for use in damage.used_by:
            print(f"    used by {use}")
    print(f"{report.stored} blobs stored, {report.referenced} referenced by documents, "
          f"{len(report.damaged)} damaged")
    return 1 if report.damaged else 0


@hookimpl
def register_permissions(register: Any) -> None:
    register(permissions.VIEW, permissions.UPLOAD)


@hookimpl
def register_event_types(register: Any) -> None:
    register(DocumentIssued, DocumentUploaded)


@hookimpl
def register_commands(register: Any) -> None:
    register(Command(name="blobs", help="the blob store", configure=_configure, run=_run))


@hookimpl
def menu_items(request: Any, tenant: Any, actor: Any) -> list[MenuItem] | None:
    if not request.url.path.startswith("/sede/") and actor.can(permissions.VIEW.name):
        return [MenuItem(_("Documentos"), f"/{tenant.slug}/documentos/")]
    return None
