"""What the in-process benchmarks share: a kernel and its app booted on a fresh database.

``booted(database_url)`` gives the settings, the kernel and the Litestar app with its
lifespan running (migrations applied, embedded job worker started) on a new SQLite file in
a temporary directory, or on the PostgreSQL database named, dropped and created first.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar import Litestar

    from core.kernel import Kernel
    from core.settings import Settings


@asynccontextmanager
async def booted(database_url: str | None
                 ) -> AsyncIterator[tuple[Settings, Kernel, Litestar]]:
    with tempfile.TemporaryDirectory(prefix="concejo-bench-") as data_dir:
        if database_url:
            from core.testing import fresh_postgres

            await fresh_postgres(database_url)
        os.environ["CONCEJO_DATA_DIR"] = data_dir
        from core.app import create_app
        from core.kernel import boot
        from core.settings import Settings

        settings = Settings(data_dir=data_dir, database_url=database_url or
                            f"sqlite:///{data_dir}/bench.sqlite",
                            secret_key="benchmark-secret-key-not-for-production")
        kernel = boot(settings)
        app = create_app(settings, kernel=kernel, run_worker=True)
        async with app.lifespan():
            print(f"database: {'PostgreSQL' if database_url else 'SQLite'}")
            yield settings, kernel, app
