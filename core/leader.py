"""Leader locks: one process of many does a thing (scheduling, migrating) at a time.

On PostgreSQL a session advisory lock held on a connection of its own: it is released when
the holder stops or its connection dies, so a standby takes over. On SQLite (one machine) an
exclusive ``flock`` on a file under the data directory, released when the process exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import asyncpg

#: First key of every Concejo advisory lock (the audit chain uses 7401 per tenant).
LOCK_NAMESPACE = 7402


class LeaderLock(Protocol):
    async def try_acquire(self) -> bool:
        """Take the lock if free; True when this process holds it."""
        ...

    async def still_held(self) -> bool:
        """False once the lock may have passed to another process."""
        ...

    async def release(self) -> None:
        ...


def lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


class PostgresLeaderLock:
    """``pg_try_advisory_lock`` on a dedicated connection."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.key = lock_key(name)
        self._conn: asyncpg.Connection | None = None

    async def try_acquire(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self.url)
        return bool(await self._conn.fetchval(
            "SELECT pg_try_advisory_lock($1, $2)", LOCK_NAMESPACE, self.key))

    async def acquire(self) -> None:
        """Wait for the lock."""
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self.url)
        await self._conn.execute("SELECT pg_advisory_lock($1, $2)", LOCK_NAMESPACE, self.key)

    async def still_held(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            return bool(await self._conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND classid = $1 AND objid = $2",
                LOCK_NAMESPACE, self.key))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await self.release()
            return False

    async def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()  # closing the session releases its locks
            self._conn = None


class FileLeaderLock:
    """An exclusive ``flock`` on ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    async def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def acquire(self) -> None:
        """Wait for the lock (blocks the thread: only for short, one-off waits)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._fd = fd

    async def still_held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def leader_lock(database_url: str, name: str) -> PostgresLeaderLock | FileLeaderLock:
    """The lock that fits the database: advisory on PostgreSQL, a file lock next to the
    SQLite file otherwise."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresLeaderLock(database_url, name)
    return FileLeaderLock(Path(database_url.removeprefix("sqlite:///")).parent / f"{name}.lock")


@contextlib.asynccontextmanager
async def exclusively(database_url: str, name: str) -> AsyncIterator[None]:
    """Hold the named lock for the block, waiting for it if another process has it."""
    lock = leader_lock(database_url, name)
    await lock.acquire()
    try:
        yield
    finally:
        await lock.release()
