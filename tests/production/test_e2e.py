"""End to end on the production profile: PostgreSQL, RabbitMQ (own vhost) and S3 (moto) on
loopback; two web processes, two ``concejo worker`` and two ``concejo scheduler`` processes,
all real subprocesses. A notice published through one web process is retired by a periodic
job that a scheduler queues and a worker runs, and the other web process shows it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from core.leader import PostgresLeaderLock, leader_lock
from core.scheduler import LOCK_NAME
from core.testing import require_service
from tests.production.tools import create_database, drop_database, free_port, require_tool

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.broker]

POSTGRES = os.environ.get("CONCEJO_TEST_DATABASE_URL",
                          "postgresql://postgres@127.0.0.1:5432/concejo_test")
RABBITMQ = os.environ.get("CONCEJO_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
VHOST = "concejo_e2e"
ADMIN = ("admin@e2e.invalid", "una contraseña de prueba")


def _rabbitmq_vhost() -> str:
    """A vhost of its own, so no other test or process consumes these messages."""
    ctl = require_tool("rabbitmqctl")
    subprocess.run([ctl, "add_vhost", VHOST], capture_output=True, timeout=60)
    subprocess.run([ctl, "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"],
                   capture_output=True, timeout=60, check=True)
    return urlparse(RABBITMQ)._replace(path=f"/{VHOST}").geturl()


@pytest.fixture
def s3_blob_url() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="e2e",
                 aws_secret_access_key="e2e-secret", region_name="eu-south-2").create_bucket(
        Bucket="concejo", CreateBucketConfiguration={"LocationConstraint": "eu-south-2"})
    yield f"s3://e2e:e2e-secret@concejo?endpoint={endpoint}&region=eu-south-2"
    server.stop()


class Fleet:
    """The deployment's processes, each logging to its own file."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.hold: PostgresLeaderLock | None = None

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "core.cli", *args], env=self.env,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    def start(self, name: str, *args: str) -> None:
        log = open(self.logs / f"{name}.log", "wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "core.cli", *args], env=self.env, stdout=log,
            stderr=subprocess.STDOUT)
        log.close()

    def tail(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self, timeout: float = 60) -> dict[str, int | None]:
        """SIGTERM to everyone, then wait: the exit codes."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes: dict[str, int | None] = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = None
        return codes


async def _until(check, seconds: float, what: str, fleet: Fleet, log: str):
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen in {seconds}s\n{fleet.tail(log)}")
        await asyncio.sleep(0.25)


@pytest.fixture
async def fleet(tmp_path: Path, s3_blob_url: str) -> AsyncIterator[tuple[Fleet, dict]]:
    if os.environ.get("CI") == "true" and not os.environ.get("CONCEJO_TEST_DATABASE_URL"):
        pytest.skip("CI runs the end-to-end test once, in its PostgreSQL pass")
    require_service("PostgreSQL", POSTGRES)
    require_service("RabbitMQ", RABBITMQ)
    broker = _rabbitmq_vhost()
    database = await create_database(POSTGRES, "concejo_e2e")
    env = {**os.environ, "CONCEJO_PROFILE": "production", "CONCEJO_DATABASE_URL": database,
           "CONCEJO_BROKER_URL": broker, "CONCEJO_BLOB_URL": s3_blob_url,
           "CONCEJO_SECRET_KEY": "e2e-secret-key-" + uuid.uuid4().hex,
           "CONCEJO_MASTER_KEY": os.urandom(32).hex(),
           "CONCEJO_DATA_DIR": str(tmp_path / "data")}
    ports = {"web_a": free_port(), "web_b": free_port(), "worker_1": free_port(),
             "worker_2": free_port(), "scheduler_1": free_port(),
             "scheduler_2": free_port()}
    deployment = Fleet(env, tmp_path)
    try:
        deployment.run("tenants", "add", "--slug", "soria", "--kind", "ayuntamiento",
                       "--name", "Ayuntamiento de Soria", "--dir3", "L01421736",
                       "--nif", "P4217300E", "--ine", "42173", "--demo")
        deployment.run("tenants", "enable", "soria", "tablon")
        deployment.env["CONCEJO_USER_PASSWORD"] = ADMIN[1]
        deployment.run("users", "add", ADMIN[0], "--name", "Secretaría", "--tenant", "soria",
                       "--role", "tramitador")
        deployment.start("web_a", "serve", "--no-migrate", "--port", str(ports["web_a"]))
        deployment.start("web_b", "serve", "--no-migrate", "--workers", "2", "--port",
                         str(ports["web_b"]))
        for name, priority in (("worker_1", "idle"), ("worker_2", "low")):
            deployment.start(name, "worker", "--no-scheduler", "--threads", "2", "--every",
                             "1", "--metrics-port", str(ports[name]), "--cpu-priority",
                             priority)
        # the test holds the schedulers' leader lock until its notice is published, so both
        # start now as standbys (no slot is queued before the notice exists)
        deployment.hold = leader_lock(database, LOCK_NAME)
        assert await deployment.hold.try_acquire()
        for name in ("scheduler_1", "scheduler_2"):
            deployment.start(name, "scheduler", "--every", "1", "--metrics-port",
                             str(ports[name]))
        yield deployment, ports
    finally:
        codes = deployment.stop()
        if deployment.hold:
            await deployment.hold.release()
        await drop_database(database)
    # uvicorn re-raises the SIGTERM it handled once shut down; the others exit 0
    assert codes.pop("web_a") in (0, -signal.SIGTERM) and set(codes.values()) == {0}, codes
    assert "Application shutdown complete" in deployment.tail("web_a")


def _metric(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples that carry the given labels."""
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.split("{", 1)[0].split(" ", 1)[0] == name
               and all(label in line for label in wanted))


async def test_a_published_notice_is_retired_by_a_worker_and_seen_by_the_other_web(fleet):
    deployment, ports = fleet
    web_a = f"http://127.0.0.1:{ports['web_a']}"
    web_b = f"http://127.0.0.1:{ports['web_b']}"
    async with httpx.AsyncClient(timeout=10) as http:

        async def ready(url: str) -> bool:
            try:
                return (await http.get(f"{url}/ready")).status_code == 200
            except httpx.TransportError:
                return False

        await _until(lambda: ready(web_a), 180, "web A ready", deployment, "web_a")
        await _until(lambda: ready(web_b), 180, "web B ready", deployment, "web_b")
        body = (await http.get(f"{web_b}/ready")).json()
        assert body["checks"] == {"database": "ok", "migrations": "ok", "broker": "ok",
                                  "blobs": "ok"}

        await http.get(f"{web_a}/login")
        login = await http.post(f"{web_a}/login", data=dict(
            zip(("email", "password"), ADMIN, strict=True)),
            headers={"x-csrftoken": http.cookies["csrftoken"]})
        assert login.status_code in (302, 303), login.text
        published = await http.post(
            f"{web_a}/api/v1/soria/tablon/anuncios/", headers={
                "x-csrftoken": http.cookies["csrftoken"]},
            json={"title": "Edicto caducado", "body": "Texto", "category": "edicto",
                  "publish_from": str(date.today() - timedelta(days=10)),
                  "publish_until": str(date.today() - timedelta(days=1))})
        assert published.status_code == 201, published.text
        anuncio = published.json()
        assert anuncio["state"] == "publicado"

        async def event_delivered() -> bool:
            texts = [(await http.get(f"http://127.0.0.1:{ports[w]}/")).text
                     for w in ("worker_1", "worker_2")]
            return _metric("\n".join(texts), "concejo_jobs_total",
                           actor="core.deliver_event", outcome="done") >= 1

        await _until(event_delivered, 120, "the publication event delivered by a worker",
                     deployment, "worker_1")
        # the workers lowered their CPU priority as told, so the web processes go first
        idle, low = (deployment.processes[w].pid for w in ("worker_1", "worker_2"))
        assert os.sched_getscheduler(idle) == os.SCHED_IDLE
        # nice 10 more than the suite, which may itself run under nice (capped at 19)
        suite = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, low) == min(suite + 10, 19)

        await deployment.hold.release()  # a standby scheduler becomes the leader and ticks

        async def retired_on_b() -> dict | None:
            shown = await http.get(f"{web_b}/api/v1/soria/tablon/anuncios/{anuncio['id']}")
            assert shown.status_code == 200, shown.text
            return shown.json() if shown.json()["state"] == "retirado" else None

        retired = await _until(retired_on_b, 120, "the notice retired", deployment,
                               "scheduler_1")
        assert retired["retired_reason"] == "Fin del plazo de exposición"

        async def leaders() -> list[float] | None:
            try:
                return sorted([_metric((await http.get(f"http://127.0.0.1:{ports[s]}/")).text,
                                       "concejo_scheduler_leader")
                               for s in ("scheduler_1", "scheduler_2")])
            except httpx.TransportError:  # the standby may still be starting
                return None

        assert await _until(leaders, 120, "both schedulers up", deployment,
                            "scheduler_1") == [0.0, 1.0]
        metrics_b = (await http.get(f"{web_b}/metrics")).text
        assert _metric(metrics_b, "concejo_http_requests_total", tenant="soria", group="api",
                       status="200") >= 1
        assert _metric(metrics_b, "concejo_outbox_pending") == 0
    assert "intact" in deployment.run("audit", "verify", "--tenant", "soria")
