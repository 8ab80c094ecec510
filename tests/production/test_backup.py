"""Backup drill (ENS mp.info.6): back up the test deployment, restore it into a fresh
database, blob store and data dir with the real ``concejo`` command, and prove the restore:
audit chains verify, counters and rows match, every blob hashes to its name."""

import asyncio
import hashlib
import io
import os
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest

from core.backup.crypto import BackupDecryptionError, EncryptedReader, EncryptedWriter
from core.documents.blobs import blob_store_from_url
from plugins.tablon import services as tablon
from plugins.tablon.schemas import AnuncioIn
from tests.production.tools import create_database, drop_database

PASSPHRASE = "una frase de paso larga para la prueba"


async def _concejo(*args: str, data_dir: Path, database_url: str) -> tuple[int, str, str]:
    env = {**os.environ, "CONCEJO_DATA_DIR": str(data_dir), "CONCEJO_DATABASE_URL": database_url,
           "CONCEJO_BACKUP_PASSPHRASE": PASSPHRASE,
           "CONCEJO_SECRET_KEY": "test-secret-key-not-for-production"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "core.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def _fresh_database(source_url: str, tmp_path: Path) -> str:
    if source_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'concejo.sqlite'}"
    return await create_database(source_url, "concejo_restore")


async def _drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        await drop_database(url)


async def _rows(url: str, sql: str) -> list[tuple]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchall()
    connection = await asyncpg.connect(url)
    try:
        return [tuple(r) for r in await connection.fetch(sql)]
    finally:
        await connection.close()


def test_the_container_round_trips_and_refuses_tampering():
    plain = os.urandom(3 * (1 << 20) + 12345)
    sealed = io.BytesIO()
    with EncryptedWriter(sealed, PASSPHRASE) as writer:
        writer.write(plain[:1000])
        writer.write(plain[1000:])
    data = sealed.getvalue()
    assert EncryptedReader(io.BytesIO(data), PASSPHRASE).read() == plain
    assert plain[:4096] not in data
    with pytest.raises(BackupDecryptionError):
        EncryptedReader(io.BytesIO(data), "otra frase de paso cualquiera").read()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 1
    with pytest.raises(BackupDecryptionError):
        EncryptedReader(io.BytesIO(bytes(flipped)), PASSPHRASE).read()
    frame = 4 + (1 << 20) + 16  # cut after whole chunks: the last one is missing its flag
    header_end = data.index(b"}") + 1
    with pytest.raises(BackupDecryptionError):
        EncryptedReader(io.BytesIO(data[:header_end + 2 * frame]), PASSPHRASE).read()


async def test_backup_restores_into_a_fresh_deployment_and_proves_itself(
        concejo_kernel, make_tenant, drain, tmp_path):
    settings = concejo_kernel.settings
    tenant = await make_tenant(plugins=("tablon",))
    for n in range(3):
        await tablon.publish(tenant, AnuncioIn(
            title=f"Edicto {n}", body="Texto del edicto", category="edicto",
            publish_from=date.today() - timedelta(days=1)), actor="secretaria@test.invalid")
    store = blob_store_from_url(settings.effective_blob_url)
    refs = [await store.put_bytes(os.urandom(2000) + bytes([n])) for n in range(3)]
    theme = settings.data_path / "themes" / tenant.slug / "base.html"
    theme.parent.mkdir(parents=True, exist_ok=True)
    theme.write_text("<!-- tema de la entidad -->")
    await drain()

    source_url = settings.effective_database_url
    archive = tmp_path / "concejo.backup"
    code, out, err = await _concejo("backup", str(archive), data_dir=settings.data_path,
                                    database_url=source_url)
    assert code == 0, err
    assert "audit chains" in out and archive.stat().st_mode & 0o777 == 0o600
    assert b"Edicto" not in archive.read_bytes()

    target_url = await _fresh_database(source_url, tmp_path)
    target_dir = tmp_path / "restored"
    try:
        code, out, err = await _concejo("restore", str(archive), data_dir=target_dir,
                                        database_url=target_url)
        assert code == 0, out + err
        assert "Restore verified." in out

        code, out, err = await _concejo("audit", "verify", "--tenant", tenant.slug,
                                        data_dir=target_dir, database_url=target_url)
        assert code == 0 and f"{tenant.slug}: intact" in out, out + err

        anuncios = (f"SELECT number, title, state FROM tablon_anuncio WHERE tenant = "
                    f"{tenant.id} ORDER BY number")
        assert await _rows(target_url, anuncios) == await _rows(source_url, anuncios)
        assert [r[0] for r in await _rows(target_url, anuncios)] == [1, 2, 3]
        head = (f"SELECT seq, hash FROM core_audit_entry WHERE tenant = {tenant.id} "
                "ORDER BY seq DESC LIMIT 1")
        assert await _rows(target_url, head) == await _rows(source_url, head)

        restored = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                    for p in (target_dir / "blobs").rglob("*") if p.is_file()}
        assert {r.sha256 for r in refs} <= set(restored)
        assert all(name == digest for name, digest in restored.items())
        assert (target_dir / "themes" / tenant.slug / "base.html").read_text() == \
            theme.read_text()

        code, out, err = await _concejo("restore", str(archive), data_dir=target_dir,
                                        database_url=target_url)
        assert code != 0 and "not empty" in err
    finally:
        await _drop_database(target_url)


async def test_a_tampered_backup_is_refused(concejo_kernel, tmp_path):
    settings = concejo_kernel.settings
    archive = tmp_path / "concejo.backup"
    code, _, err = await _concejo("backup", str(archive), data_dir=settings.data_path,
                                  database_url=settings.effective_database_url)
    assert code == 0, err
    data = bytearray(archive.read_bytes())
    data[-100] ^= 0xFF
    archive.write_bytes(bytes(data))
    code, _, err = await _concejo("restore", str(archive), data_dir=tmp_path / "r2",
                                  database_url=f"sqlite:///{tmp_path / 'r2' / 'db.sqlite'}")
    assert code != 0 and "changed or cut short" in err
