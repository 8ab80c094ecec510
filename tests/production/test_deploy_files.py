"""The files in deploy/ checked offline with the tools that judge them: kubernetes-validate
(the API schemas), docker-compose, systemd-analyze, nginx (run for real on loopback), and
every ``concejo`` command in them parsed by the real command-line parser."""

from __future__ import annotations

import asyncio
import re
import shlex
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import httpx
import kubernetes_validate
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.cli import build_parser
from tests.production.tools import free_port, require_tool

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES_VERSION = "1.30.0"


def check_concejo_command(argv: list[str]) -> None:
    """``argv`` (after the program name) is a valid ``concejo`` invocation."""
    build_parser([]).parse_args(argv)


def _after_concejo(words: list[str]) -> list[str]:
    for i, word in enumerate(words):
        if word == "concejo" or word.endswith("/concejo"):
            return words[i + 1:]
    raise AssertionError(f"no concejo command in {words}")


def _k8s_documents() -> Iterator[tuple[str, dict]]:
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path.name, doc


def test_kubernetes_manifests_match_the_api_schemas():
    kinds = set()
    for name, doc in _k8s_documents():
        if doc["kind"] == "Kustomization":
            listed = set(doc["resources"])
            present = {p.name for p in (DEPLOY / "kubernetes").glob("*.yaml")}
            assert listed == present - {"kustomization.yaml"}, name
            continue
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        kinds.add((doc["kind"], doc["metadata"]["name"]))
    assert {("Deployment", "concejo-web"), ("Deployment", "concejo-worker"),
            ("Deployment", "concejo-scheduler"), ("Job", "concejo-migrate"),
            ("StatefulSet", "postgres"), ("StatefulSet", "rabbitmq"), ("StatefulSet", "minio"),
            ("Ingress", "concejo"), ("CronJob", "concejo-backup")} <= kinds


def _pod_specs(doc: dict) -> Iterator[dict]:
    spec = doc.get("spec", {})
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    if "template" in spec:
        yield spec["template"]["spec"]


def test_kubernetes_concejo_containers_run_real_commands_with_probes():
    commands = []
    for _, doc in _k8s_documents():
        for pod in _pod_specs(doc):
            for container in pod["containers"]:
                if container["image"] != "concejo":
                    continue
                words = container.get("args", [])
                if container.get("command"):  # a shell line
                    words = shlex.split(words[0].replace("$(date -u +%Y%m%dT%H%M%SZ)", "x"))
                    words = _after_concejo(words)
                check_concejo_command(words)
                commands.append(words[0])
                assert {"configMapRef": {"name": "concejo"}} in container["envFrom"]
                if words[0] == "serve":
                    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
                    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert sorted(commands) == ["backup", "db", "scheduler", "serve", "worker"]


def test_compose_file_is_valid_and_has_every_part(tmp_path):
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "rabbitmq", "minio", "minio-bucket", "migrate", "web",
                             "worker", "scheduler", "proxy"}
    for name in ("migrate", "web", "worker", "scheduler"):
        check_concejo_command(services[name]["command"])
        assert services[name]["environment"]["CONCEJO_PROFILE"] == "production"
    assert services["web"]["depends_on"]["migrate"]["condition"] == \
        "service_completed_successfully"
    assert "443:443" in services["proxy"]["ports"]
    tool = require_tool("docker-compose")
    env_file = DEPLOY / "concejo.env.example"
    done = subprocess.run([tool, "--project-directory", str(DEPLOY), "--env-file", str(env_file),
                           "-f", str(DEPLOY / "compose.yaml"), "config"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rendered = yaml.safe_load(done.stdout)["services"]
    assert rendered["web"]["environment"]["CONCEJO_DATABASE_URL"].startswith("postgresql://")
    assert rendered["worker"]["deploy"]["replicas"] == 2


def test_dockerfile_builds_from_the_repository_and_runs_concejo():
    text = (DEPLOY / "Dockerfile").read_text()
    root = DEPLOY.parent
    for line in re.findall(r"^COPY (.+)$", text, flags=re.M):
        *sources, _ = line.split()
        assert all((root / source).exists() for source in sources), line
    assert re.search(r"^USER concejo$", text, flags=re.M)
    entry = yaml.safe_load(re.search(r"^ENTRYPOINT (.+)$", text, flags=re.M).group(1))
    command = yaml.safe_load(re.search(r"^CMD (.+)$", text, flags=re.M).group(1))
    assert entry == ["concejo"]
    check_concejo_command(command)


def test_systemd_units_verify(tmp_path):
    tool = require_tool("systemd-analyze")
    concejo = Path(sys.executable).with_name("concejo")
    assert concejo.exists()
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/opt/concejo/.venv/bin/concejo", str(concejo))
        (tmp_path / unit.name).write_text(text)
        for line in re.findall(r"^ExecStart=(.+)$", unit.read_text(), flags=re.M):
            words = shlex.split(line.replace("\\$(date -u +%%Y%%m%%dT%%H%%M%%SZ)", "x"))
            if words[0] == "/bin/sh":
                words = shlex.split(words[-1])
            check_concejo_command([w.replace("%i", "1") for w in _after_concejo(words)])
    shutil.copy(tmp_path / "concejo-worker@.service", tmp_path / "concejo-worker@1.service")
    units = sorted(p.name for p in tmp_path.iterdir() if p.suffix in {".service", ".timer",
                                                                       ".target"})
    done = subprocess.run([tool, "verify", *units], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


# -- nginx, for real ---------------------------------------------------------------------


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Recorder(BaseHTTPRequestHandler):
    """The upstream: answers every request with the headers it received."""

    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        _Recorder.seen.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


class Proxy:
    """nginx running the deploy config on loopback ports, in front of the recorder."""

    def __init__(self, tmp_path: Path, upstream: int) -> None:
        self.server_cert, server_key = _certificate(tmp_path, "localhost")
        self.client_cert, self.client_key = _certificate(tmp_path, "ciudadana")
        self.http_port, self.https_port = free_port(), free_port()
        site = (DEPLOY / "nginx" / "concejo.conf").read_text()
        site = (site.replace("server web:8000;", f"server 127.0.0.1:{upstream};")
                .replace("/etc/nginx/tls/server.crt", str(self.server_cert))
                .replace("/etc/nginx/tls/server.key", str(server_key))
                .replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
                .replace("listen 80;", f"listen 127.0.0.1:{self.http_port};")
                .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"))
        (tmp_path / "site.conf").write_text(site)
        self.conf = tmp_path / "nginx.conf"
        self.conf.write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
            f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/site.conf;\n}}\n")
        self.prefix = tmp_path


@pytest.fixture
def proxy(tmp_path: Path, upstream: int) -> Iterator[Proxy]:
    tool = require_tool("nginx")
    running = Proxy(tmp_path, upstream)
    test = subprocess.run([tool, "-t", "-p", str(tmp_path), "-c", str(running.conf)],
                          capture_output=True, text=True, timeout=30)
    assert test.returncode == 0, test.stderr
    process = subprocess.Popen([tool, "-p", str(tmp_path), "-c", str(running.conf), "-g",
                                "daemon off;"])
    yield running
    process.terminate()
    process.wait(timeout=10)


async def test_nginx_passes_the_client_certificate_and_hides_metrics(proxy):
    trust = ssl.create_default_context(cafile=str(proxy.server_cert))
    with_cert = ssl.create_default_context(cafile=str(proxy.server_cert))
    with_cert.load_cert_chain(str(proxy.client_cert), str(proxy.client_key))
    base = f"https://localhost:{proxy.https_port}"
    async with httpx.AsyncClient(verify=with_cert, timeout=5) as citizen, \
            httpx.AsyncClient(verify=trust, timeout=5) as forger:
        for _ in range(50):  # nginx starting
            try:
                await citizen.get(f"{base}/health")
                break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        _Recorder.seen.clear()
        assert (await citizen.get(f"{base}/sede/soria/")).status_code == 200
        forged = await forger.get(f"{base}/sede/soria/", headers={
            "x-client-cert": "forged", "x-client-verify": "SUCCESS"})
        assert forged.status_code == 200
        assert (await citizen.get(f"{base}/metrics")).status_code == 403
        plain = await forger.get(f"http://127.0.0.1:{proxy.http_port}/sede/soria/")
        assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
    assert len(_Recorder.seen) == 2  # /metrics and plain HTTP never reached the app
    passed, unsigned = _Recorder.seen
    assert unquote(passed["x-client-cert"]) == proxy.client_cert.read_text()
    assert passed["x-client-verify"].startswith("FAILED")  # optional_no_ca: the app judges
    assert passed["x-forwarded-proto"] == "https"
    assert unsigned.get("x-client-cert", "") == "" and unsigned["x-client-verify"] == "NONE"
