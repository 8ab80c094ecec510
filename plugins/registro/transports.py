"""SIR transports: how exchange files and messages reach another registry.

A transport is registered with the registro's ``register_sir_transports`` hook and chosen
per entity by the ``sir_transport`` setting. ``ConcejoTransport`` delivers between the
entities of this Concejo installation: the destination registry code is a registry office
(``core_unit``) or the DIR3 of an entity that has the registro enabled, and the file is
handed over as a job of that entity, in the sender's transaction.
"""

from __future__ import annotations

from typing import Protocol

from core import kernel as _kernel
from core.documents.services import keep_delivered
from core.jobs import send as send_job
from core.tenancy.context import TenantContext, tenant_by_id
from core.tenancy.rls import cross_tenant, declare_pass, tenant_scope
from core.tenancy.tables import Tenant, Unit


class TransportError(Exception):
    """The file or message could not be handed to the destination; the message says why."""


class SirTransport(Protocol):
    """What the registro needs from a transport (both calls raise TransportError)."""

    name: str

    async def deliver_asiento(self, sender: TenantContext, destino: str, data: bytes) -> None:
        """Hand a Fichero_Intercambio_SICRES_3 to the registry ``destino``."""

    async def deliver_mensaje(self, sender: TenantContext, destino: str, data: bytes) -> None:
        """Hand a De_Mensaje (ACK, confirmación, error) to the registry ``destino``."""


#: The cross-tenant pass the transport needs to find a destination registry.
DIRECTORY = declare_pass("directorio de oficinas de registro")


async def registry_tenant(code: str) -> TenantContext:
    """The entity of this installation whose registry answers to ``code``."""
    async with cross_tenant(DIRECTORY):  # the offices of every entity, by DIR3 code
        rows = await Unit.select(Unit.tenant).where(
            (Unit.dir3 == code) & (Unit.is_office == True))  # noqa: E712
    tenant_ids = {r["tenant"] for r in rows}
    if not tenant_ids:
        tenant_ids = {r["id"] for r in await Tenant.select(Tenant.id).where(Tenant.dir3 == code)}
    if len(tenant_ids) != 1:
        raise TransportError(f"El destino {code} no es un registro de esta instalación"
                             if not tenant_ids else f"El destino {code} es ambiguo")
    tenant = await tenant_by_id(tenant_ids.pop())
    if tenant is None or not tenant.is_enabled("registro"):
        raise TransportError(f"El destino {code} no tiene el registro activado")
    return tenant


class ConcejoTransport:
    """Between entities of the same installation, through the job outbox."""

    name = "concejo"

    async def deliver_asiento(self, sender: TenantContext, destino: str, data: bytes) -> None:
        target = await registry_tenant(destino)
        await send_job("registro.sir_receive", target.id, document_id=await _hand_over(
            target, data, "Fichero de intercambio SICRES recibido"))

    async def deliver_mensaje(self, sender: TenantContext, destino: str, data: bytes) -> None:
        target = await registry_tenant(destino)
        await send_job("registro.sir_message", target.id, document_id=await _hand_over(
            target, data, "Mensaje SICRES recibido"))


async def _hand_over(target: TenantContext, data: bytes, title: str) -> int:
    """The file, as a document of the receiving entity (written in its scope: a hand-off,
    not a read), which is all its job may read."""
    async with tenant_scope(target.id):
        return await keep_delivered(target, data, filename="sicres.xml",
                                    mime="application/xml", title=title, actor="sir")


def transport_for(tenant: TenantContext, name: str) -> SirTransport:
    """The transport named in the entity's settings (TransportError if not installed)."""
    for _, transport in _kernel.current().plugins.collect("register_sir_transports"):
        if transport.name == name:
            return transport
    raise TransportError(f"No hay ningún transporte SIR llamado {name!r}")
