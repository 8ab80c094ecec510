"""Deployment settings: one msgspec Struct read from a TOML file and ``CONCEJO_*`` variables.

The embedded default needs nothing: a SQLite file, a blob folder and an in-process job
worker, all under the data directory (``./concejo-data`` unless ``CONCEJO_DATA_DIR`` says
otherwise). Production changes only these settings, never the code.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import msgspec

from core.identity.settings import IdentitySettings

ENV_PREFIX = "CONCEJO_"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Everything a deployment can set; empty strings mean "derive the embedded default"."""

    data_dir: str = "concejo-data"
    database_url: str = ""
    #: PostgreSQL: the URL requests and jobs log in with, as ``concejo_runtime`` (the role
    #: that cannot lift RLS); empty: ``database_url`` with that user and no password.
    #: ``database_url`` names the owner (migrations, cross-tenant passes).
    database_runtime_url: str = ""
    broker_url: str = ""
    blob_url: str = ""
    #: the public address of the web app, baked into CSVs' QR codes, e-mail links and OIDC
    #: redirects; empty: where ``concejo serve`` listens (``--host``/``--port``), else
    #: ``DEFAULT_BASE_URL``.
    base_url: str = ""
    secret_key: str = ""
    disable_plugins: list[str] = msgspec.field(default_factory=list)
    default_language: str = "es"
    debug: bool = False
    #: outgoing mail (``core.mail``): ``smtp://host:25``, ``smtp+starttls://user:pass@host:587``
    #: or ``smtps://…:465``; empty writes each message under ``<data_dir>/mail/``.
    smtp_url: str = ""
    mail_from: str = "Concejo <no-reply@concejo.invalid>"
    #: login providers (OIDC) and client certificates: the ``[identity]`` table
    identity: IdentitySettings = msgspec.field(default_factory=IdentitySettings)
    #: "embedded" (one machine, defaults) or "production": then PostgreSQL, a broker and a
    #: secret key must be set (``production_problems``), and logs default to JSON.
    profile: Literal["embedded", "production"] = "embedded"
    log_format: Literal["", "text", "json"] = ""
    log_level: str = "INFO"
    #: requests per second each tenant may make to one web process (0: no limit); the
    #: bucket holds ``rate_limit_burst`` requests (0: twice the rate).
    rate_limit_per_tenant: float = 0.0
    rate_limit_burst: int = 0
    #: the reverse proxies (addresses or networks) whose ``X-Forwarded-For`` and
    #: ``X-Forwarded-Proto`` are believed (``core.web.proxies``); empty: none, not even
    #: loopback. Environment: comma-separated.
    trusted_proxies: list[str] = msgspec.field(default_factory=list)
    #: 64 hex digits sealing the signing credentials at rest (AES-256-GCM); generated into
    #: the data dir for the embedded default, set (the same everywhere) in production.
    master_key: str = ""
    #: RFC 3161 time-stamping service: signatures are PAdES B-T with it, B-B without; the
    #: audit checkpoints are timestamped by it too.
    tsa_url: str = ""
    #: hours between two signed audit checkpoints (``core.audit.checkpoints``).
    audit_checkpoint_hours: float = 24.0
    #: PEM file of the CA certificates signature validation trusts (besides the dev PKI).
    trust_roots: str = ""
    #: largest upload in bytes; a larger one is refused (413) before it is read.
    upload_max_bytes: int = 10 * 1024 * 1024
    #: CSV look-ups each client address may make per minute (sede and API).
    verify_per_minute: int = 20
    #: the demo's citizen login (``core.identity.providers.demo``): anyone may log in as a
    #: person of the demo data. ``concejo serve --demo`` turns it on; production refuses it.
    demo_login: bool = False

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'concejo.sqlite'}"

    @property
    def effective_base_url(self) -> str:
        """``base_url`` without a trailing slash, or the default address."""
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/")

    @property
    def effective_blob_url(self) -> str:
        return self.blob_url or f"file://{self.data_path / 'blobs'}"

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.profile == "production" else "text")

    def production_problems(self) -> list[str]:
        """What the production profile still misses (empty when ready)."""
        problems = []
        if not self.database_url.startswith(("postgresql://", "postgres://")):
            problems.append("database_url must be a postgresql:// URL")
        if not self.broker_url:
            problems.append("broker_url must name RabbitMQ (amqp://) or Redis (redis://)")
        if not self.blob_url:
            problems.append("blob_url must name the shared blob store (s3:// or file://)")
        if not self.secret_key:
            problems.append("secret_key must be set (the same in every process)")
        if not self.master_key:
            problems.append("master_key must be set (the same in every process)")
        if self.demo_login:
            problems.append("demo_login must be off (anyone could log in as a demo citizen)")
        return problems

    @property
    def uses_embedded_jobs(self) -> bool:
        """No broker URL: jobs run in an in-process worker."""
        return not self.broker_url

    def effective_secret_key(self) -> bytes:
        """The signing key for sessions and tokens; generated once into the data dir."""
        return self.secret_key.encode() if self.secret_key else self._generated("secret.key")

    def effective_master_key(self) -> bytes:
        """The 32-byte key sealing signing credentials; generated once into the data dir."""
        text = self.master_key.encode() if self.master_key else self._generated("master.key")
        try:
            key = bytes.fromhex(text.decode())
        except ValueError:
            key = b""
        if len(key) != 32:
            raise ValueError("master_key must be 64 hexadecimal digits (32 bytes)")
        return key

    def _generated(self, name: str) -> bytes:
        """A random 256-bit hex secret kept in the data dir, created once (mode 0600) even
        when several processes start together (published by an exclusive link)."""
        key_file = self.data_path / name
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = key_file.with_name(f".{name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(os.urandom(32).hex().encode())
            try:
                os.link(tmp, key_file)
            except FileExistsError:
                pass  # another process was first: use its key
            finally:
                tmp.unlink()
        return key_file.read_bytes().strip()


def _env_values(environ: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(Settings):
        raw = environ.get(ENV_PREFIX + field.name.upper())
        if raw is None:
            continue
        if field.name in ("disable_plugins", "trusted_proxies"):
            values[field.name] = [p.strip() for p in raw.split(",") if p.strip()]
        elif field.name in ("debug", "demo_login"):
            values[field.name] = raw.lower() in {"1", "true", "yes", "on"}
        else:
            values[field.name] = raw
    return values


def load_settings(
    config_file: str | Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read settings: TOML file (``CONCEJO_CONFIG`` or the argument), then environment."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    path = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if path:
        values.update(tomllib.loads(Path(path).read_text(encoding="utf-8")))
    values.update(_env_values(environ))
    try:
        return msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SystemExit(f"Invalid Concejo settings: {exc}") from exc


def check_profile(settings: Settings) -> None:
    """Refuse to start a production process that misses a production setting."""
    if settings.profile == "production" and (problems := settings.production_problems()):
        raise SystemExit("Production profile: " + "; ".join(problems))
