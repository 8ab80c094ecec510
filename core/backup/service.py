"""``concejo backup`` and ``concejo restore``: database, blobs, data-dir files and keys in one
encrypted file, and a restore that proves itself (ENS mp.info.6).

The archive (a tar stream inside :mod:`core.backup.crypto`) holds ``header.json`` (format,
database kind, migrations), ``db/<table>.jsonl`` for every table (one consistent snapshot),
``blobs/<sha256>`` for every blob, ``files/…`` for everything under the data directory that
is not the database or the blob store (generated keys, themes), ``keys.json`` (keys given
as settings) and last ``manifest.json``: row counts, blob hashes, file hashes and the head
of every tenant's audit chain. A restore goes into an empty database migrated to the same
migrations, then checks all of that again on what it wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import msgspec
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.sqlite import TransactionType

from core.audit.log import verify
from core.audit.tables import AuditEntry
from core.backup.crypto import EncryptedReader, EncryptedWriter
from core.backup.tables import (
    dump_rows,
    load_rows,
    ordered_tables,
    reset_sequences,
    row_counts,
    undeclared_tables,
)
from core.db import atomic, engine
from core.documents.blobs import BlobStore, blob_store_from_url
from core.errors import DomainError
from core.kernel import Kernel
from core.settings import Settings
from core.tenancy.tables import Tenant

FORMAT = 1
SPOOL = 32 << 20
#: keys that may come from settings, and the data-dir file that holds each otherwise
KEY_FILES = {"secret_key": "secret.key", "master_key": "master.key"}


class BackupError(DomainError):
    """A backup or restore that cannot be done; the message says why."""


class RestoreReport(msgspec.Struct, kw_only=True):
    """What a restore wrote and whether every check on it passed."""

    tables: dict[str, int]
    blobs: int
    files: int
    audit_chains: int
    problems: list[str]
    notes: list[str]  # e.g. chains that were broken in the source already


# -- backup --------------------------------------------------------------------------------


async def backup(kernel: Kernel, target: Path, passphrase: str) -> dict[str, Any]:
    """Write the encrypted backup to ``target`` (atomically); returns its manifest."""
    missing = await undeclared_tables(kernel.db)
    if missing:
        raise BackupError(f"tables no installed app declares: {', '.join(missing)}")
    partial = target.with_name(target.name + ".partial")
    with _sealed_tar(partial, passphrase) as tar:
        _add_json(tar, "header.json", {
            "format": FORMAT, "created_at": datetime.now(UTC).isoformat(),
            "database": engine().engine_type, "migrations": await _migrations(kernel)})
        manifest: dict[str, Any] = {"tables": {}, "blobs": {}, "files": {}}
        async with _snapshot():
            for table in ordered_tables(kernel.db):
                manifest["tables"][table._meta.tablename] = await _add_stream(
                    tar, f"db/{table._meta.tablename}.jsonl", dump_rows(table))
            manifest["audit_heads"] = await _audit_heads()
            manifest["audit_broken"] = await _broken_chains()
        store = blob_store_from_url(kernel.settings.effective_blob_url)
        async for ref in store.iter_all():
            await _add_stream(tar, f"blobs/{ref.sha256}", store.open_stream(ref.sha256))
            manifest["blobs"][ref.sha256] = ref.size
        for relative, path in _data_files(kernel.settings, store, exclude=(target, partial)):
            manifest["files"][relative] = _add_path(tar, f"files/{relative}", path)
        _add_json(tar, "keys.json", {name: getattr(kernel.settings, name)
                                     for name in KEY_FILES
                                     if getattr(kernel.settings, name, "")})
        _add_json(tar, "manifest.json", manifest)
    partial.chmod(0o600)
    os.replace(partial, target)
    return manifest


@contextlib.contextmanager
def _sealed_tar(path: Path, passphrase: str) -> Iterator[tarfile.TarFile]:
    """A tar stream written through the encrypted container (a CLI may block on files)."""
    with open(path, "wb") as raw, EncryptedWriter(raw, passphrase) as sealed, \
            tarfile.open(fileobj=sealed, mode="w|") as tar:
        yield tar


@contextlib.contextmanager
def _opened_tar(path: Path, passphrase: str) -> Iterator[tarfile.TarFile]:
    with open(path, "rb") as raw, tarfile.open(fileobj=EncryptedReader(raw, passphrase),
                                               mode="r|") as tar:
        yield tar


@contextlib.asynccontextmanager
async def _snapshot() -> AsyncIterator[None]:
    """One read-only snapshot for every table, so the dump is consistent."""
    db = engine()
    if db.engine_type == "sqlite":
        async with db.transaction(transaction_type=TransactionType.deferred):
            yield
        return
    async with db.transaction():
        await Tenant.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


async def _migrations(kernel: Kernel) -> dict[str, list[str]]:
    return {app.app_name: sorted(await Migration.get_migrations_which_ran(app.app_name))
            for app in kernel.db.app_configs()}


async def _broken_chains() -> dict[str, str]:
    """Tenant id -> the first broken link of its audit chain, for chains that do not verify."""
    broken = {}
    for tenant in await Tenant.select(Tenant.id):
        link = await verify(tenant["id"])
        if link:
            broken[str(tenant["id"])] = f"entry {link.seq}: {link.reason}"
    return broken


async def _audit_heads() -> dict[str, str]:
    """The last hash of every tenant's audit chain."""
    heads: dict[str, str] = {}
    for row in await AuditEntry.select(AuditEntry.tenant, AuditEntry.hash).order_by(
            AuditEntry.tenant).order_by(AuditEntry.seq):
        heads[str(row["tenant"])] = row["hash"]
    return heads


async def _add_stream(tar: tarfile.TarFile, name: str, chunks: AsyncIterator[bytes]) -> int:
    """Spool a stream (a tar entry's size comes first), add it; returns how many pieces
    (rows, for a table) it had."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
        pieces = 0
        async for chunk in chunks:
            spool.write(chunk)
            pieces += 1
        size = spool.tell()
        spool.seek(0)
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, spool)
    return pieces


def _add_json(tar: tarfile.TarFile, name: str, value: Any) -> None:
    data = json.dumps(value, indent=1, sort_keys=True).encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _add_path(tar: tarfile.TarFile, name: str, path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
        handle.seek(0)
        info = tar.gettarinfo(arcname=name, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        tar.addfile(info, handle)
    return digest.hexdigest()


def _data_files(settings: Settings, store: BlobStore, exclude: tuple[Path, ...]
                ) -> Iterator[tuple[str, Path]]:
    """Files under the data dir, less the database, the file blob store and run state."""
    root = settings.data_path
    skip = {p.resolve() for p in exclude}
    database = settings.effective_database_url
    if database.startswith("sqlite:///"):
        db_file = Path(database.removeprefix("sqlite:///")).resolve()
        skip |= {db_file.with_name(db_file.name + suffix) for suffix in ("", "-wal", "-shm",
                                                                        "-journal")}
    skipped_dirs = {root / "run"}
    if isinstance(getattr(store, "root", None), Path):
        skipped_dirs.add(store.root.resolve())
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() not in skipped_dirs)
        for name in sorted(names):
            path = (here / name).resolve()
            if path not in skip and not name.endswith((".lock", ".partial")) and path.is_file():
                yield path.relative_to(root).as_posix(), path


# -- restore -------------------------------------------------------------------------------


async def restore(kernel: Kernel, source: Path, passphrase: str) -> RestoreReport:
    """Restore into this (migrated, empty) database, blob store and data dir; then check."""
    tables = {t._meta.tablename: t for t in ordered_tables(kernel.db)}
    if any([await t.count() for t in tables.values()]):
        raise BackupError("the target database is not empty: restore into a fresh one")
    store = blob_store_from_url(kernel.settings.effective_blob_url)
    problems: list[str] = []
    manifest: dict[str, Any] = {}
    written: dict[str, str] = {}
    keys: dict[str, str] = {}
    with _opened_tar(source, passphrase) as tar:
        in_transaction = False
        async with contextlib.AsyncExitStack() as transaction:
            for member in tar:
                content = tar.extractfile(member)
                if content is None:
                    raise BackupError(f"unexpected archive entry {member.name!r}")
                kind, _, name = member.name.partition("/")
                if member.name == "header.json":
                    await _check_header(kernel, json.load(content))
                elif kind == "db":
                    if not in_transaction:  # one transaction for every table
                        await transaction.enter_async_context(atomic())
                        in_transaction = True
                    table = tables.get(name.removesuffix(".jsonl"))
                    if table is None:
                        raise BackupError(f"the backup has a table this code lacks: {name}")
                    await load_rows(table, content)
                else:
                    await transaction.aclose()  # commit the tables once they are all in
                    if kind == "blobs":
                        ref = await store.put_stream(_chunks(content), max_bytes=member.size)
                        if ref.sha256 != name:
                            problems.append(f"blob {name} restored with hash {ref.sha256}")
                    elif kind == "files":
                        written[name] = _write_file(kernel.settings.data_path, name, content)
                    elif member.name == "keys.json":
                        keys = json.load(content)
                    elif member.name == "manifest.json":
                        manifest = json.load(content)
        await reset_sequences(tables.values())
    if not manifest:
        raise BackupError("the backup has no manifest: it is incomplete")
    problems += _restore_keys(kernel.settings, keys)
    return await _check(tables, store, manifest, written, problems)


async def _check_header(kernel: Kernel, header: dict[str, Any]) -> None:
    if header.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {header.get('format')!r}")
    ours = await _migrations(kernel)
    if header["migrations"] != ours:
        differ = sorted(app for app in set(ours) | set(header["migrations"])
                        if ours.get(app) != header["migrations"].get(app))
        raise BackupError("the backup was taken with other migrations (apps: "
                          f"{', '.join(differ)}): restore with the release that took it, "
                          "then upgrade")


async def _chunks(content: IO[bytes]) -> AsyncIterator[bytes]:
    for block in iter(lambda: content.read(1 << 20), b""):
        yield block


def _write_file(root: Path, name: str, content: IO[bytes]) -> str:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()):
        raise BackupError(f"refusing a file outside the data dir: {name!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        for block in iter(lambda: content.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    if target.name.endswith(".key"):
        target.chmod(0o600)
    return digest.hexdigest()


def _restore_keys(settings: Settings, keys: dict[str, str]) -> list[str]:
    """Keys that were settings: write them where the embedded default reads them, unless
    this deployment sets them itself (then they must be the same)."""
    problems = []
    for name, value in keys.items():
        ours = getattr(settings, name, "")
        if not ours:
            path = settings.data_path / KEY_FILES[name]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(value)
            path.chmod(0o600)
        elif ours != value:
            problems.append(f"setting {name} differs from the backup's: set it to the "
                            "backup's value or sealed data will not open")
    return problems


async def _check(tables: dict[str, Any], store: BlobStore, manifest: dict[str, Any],
                 written: dict[str, str], problems: list[str]) -> RestoreReport:
    """Verify what was restored against the manifest: the backup drill."""
    counts = await row_counts(tables.values())
    for name, expected in manifest["tables"].items():
        if counts.get(name) != expected:
            problems.append(f"table {name}: {counts.get(name)} rows, expected {expected}")
    damage = await store.fsck(manifest["blobs"])
    problems += [f"blob {d.sha256}: {d.problem} ({d.detail})" for d in damage
                 if d.sha256 in manifest["blobs"]]
    for name, digest in manifest["files"].items():
        if written.get(name) != digest:
            problems.append(f"file {name}: missing or changed")
    chains = await Tenant.count()
    if await _broken_chains() != manifest["audit_broken"]:
        problems.append("audit chains do not verify as they did when the backup was taken")
    if await _audit_heads() != manifest["audit_heads"]:
        problems.append("audit chain heads differ from the backup's")
    notes = [f"audit chain of tenant {tenant} was already broken in the backup at {link}"
             for tenant, link in manifest["audit_broken"].items()]
    return RestoreReport(tables=counts, blobs=len(manifest["blobs"]),
                         files=len(manifest["files"]), audit_chains=chains, problems=problems,
                         notes=notes)
