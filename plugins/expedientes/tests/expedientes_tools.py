"""Shared data and helpers of the expedientes tests (imported by name, like signing_tools)."""

from __future__ import annotations

import contextvars
import functools
import subprocess
import uuid
from pathlib import Path

import msgspec
import xmlschema

from core.data import XSD as XSD_ROOT
from core.identity.services import ensure_user, grant_role
from core.signing import flows
from plugins.expedientes import catalogo, demo
from plugins.expedientes.schemas import ProcedimientoIn
from tests.signing.signing_tools import require_tool

#: The demo's model procedure: obra menor, two phases, a requerimiento and a decreto.
LICENCIA = demo.MODELS[0]


async def add_licencia(tenant, **changes):
    """The obra menor procedure (two phases, two templates) in the tenant's catalogue."""
    return await catalogo.create(tenant, msgspec.convert({**LICENCIA, **changes},
                                                         ProcedimientoIn), actor="test")


XSD = XSD_ROOT / "eni"


@functools.cache
def eni_schema(name: str) -> xmlschema.XMLSchema:
    """An official ENI XSD, compiled once: ``expediente`` or ``documento``."""
    path = {"expediente": "expediente-e/expedienteEni.xsd",
            "documento": "documento-e/documentoEni.xsd",
            "indice": "expediente-e/indice-e/IndiceExpedienteEni.xsd"}[name]
    return xmlschema.XMLSchema(str(XSD / path), allow="local")


def openssl_cades_signer(signature: bytes, content: bytes, root_cert: Path,
                         folder: Path) -> str:
    """Verify a detached CAdES with OpenSSL (an independent validator): the signature
    covers ``content`` and its certificate chains to ``root_cert``. Returns the signer's
    subject; raises when OpenSSL says it does not verify."""
    tool = require_tool("openssl")
    (folder / "firma.der").write_bytes(signature)
    (folder / "contenido.bin").write_bytes(content)
    subprocess.run([tool, "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any",
                    "-in", folder / "firma.der", "-content", folder / "contenido.bin",
                    "-CAfile", root_cert, "-signer", folder / "firmante.pem",
                    "-out", folder / "verificado.bin"], check=True, capture_output=True)
    done = subprocess.run([tool, "x509", "-noout", "-subject", "-nameopt", "utf8,sep_multiline",
                           "-in", folder / "firmante.pem"], check=True, capture_output=True,
                          text=True)
    return done.stdout


async def staff_member(tenant, role: str, email_prefix: str) -> int:
    """A new staff user of the tenant with ``role`` (no password: they never log in)."""
    user_id = await ensure_user(f"{email_prefix}-{uuid.uuid4().hex[:6]}@test.invalid",
                                email_prefix.capitalize())
    await grant_role(user_id, tenant.id, role)
    return user_id


async def sign_pending(tenant, user_id: int) -> None:
    """The user signs every document waiting for them (their own dev certificate)."""
    for pending in await flows.pending_for(tenant, user_id):
        await flows.sign_step(tenant, pending.step_id, user_id=user_id, actor=f"user:{user_id}")


class QueryCounter:
    """Counts the statements the database engine runs for this task while active (the
    in-process job worker's queries are not counted). Used by benchmarks/expedientes.py."""

    def __init__(self, engine: object) -> None:
        self.cls, self.count = type(engine), 0
        self.original = self.cls.run_querystring
        self.mine: contextvars.ContextVar[bool] = contextvars.ContextVar("counting",
                                                                         default=False)

    def __enter__(self) -> QueryCounter:
        original, mine = self.original, self.mine

        async def counted(engine: object, *args: object, **kwargs: object) -> object:
            self.count += mine.get()
            return await original(engine, *args, **kwargs)

        self.cls.run_querystring = counted
        self.token = mine.set(True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.mine.reset(self.token)
        self.cls.run_querystring = self.original
