"""Job messages are sealed by the deployment key: a message put on the broker by anyone
else (unsigned, tampered, a tenant that is not an id) is refused and logged, and a job
reads a blob only through a document of its own tenant."""

from __future__ import annotations

import logging

import dramatiq
import msgspec
import pytest

from core.jobs import QUEUE, MissingTenant, TenantMiddleware
from plugins.registro import sicres, sir, tasks
from plugins.registro.tests.test_sicres import full
from tests.fakes import alpha


def _crafted(tenant_id: object, note: str, **changes: object) -> dramatiq.Message:
    return dramatiq.Message(queue_name=QUEUE, actor_name="alpha.touch", args=(),
                            kwargs={"tenant_id": tenant_id, "payload": {"note": note}},
                            options={}, **changes)


def _put_raw(kernel, message: dramatiq.Message, monkeypatch, step=None) -> None:
    """Put a message on the broker as someone with access to it would: past our enqueue
    step (``step(message)`` instead, when given)."""
    monkeypatch.setattr(TenantMiddleware, "before_enqueue",
                        lambda self, broker, msg, delay: step and step(msg))
    kernel.jobs.broker.enqueue(message)
    monkeypatch.undo()


def _ran(note: str) -> list[str]:
    return [d for h, d in alpha.CALLS if h == "job:alpha.touch" and d.endswith(":" + note)]


async def test_unsigned_message_is_refused_and_logged(concejo_kernel, make_tenant, drain,
                                                      monkeypatch, caplog):
    tenant = await make_tenant(plugins=("alpha",))
    _put_raw(concejo_kernel, _crafted(tenant.id, "unsigned"), monkeypatch)
    with caplog.at_level(logging.ERROR, logger="core.jobs"):
        await drain()
    assert _ran("unsigned") == []
    assert any("not sealed" in r.getMessage() for r in caplog.records)


async def test_tampered_message_is_refused(concejo_kernel, make_tenant, drain, monkeypatch,
                                           caplog):
    tenant = await make_tenant(plugins=("alpha",))
    other = await make_tenant(plugins=("alpha",))

    def retarget(msg: dramatiq.Message) -> None:  # sealed for one tenant, sent to another
        concejo_kernel.jobs.seal.seal(msg)
        msg.kwargs["tenant_id"] = other.id

    _put_raw(concejo_kernel, _crafted(tenant.id, "tampered"), monkeypatch, retarget)
    with caplog.at_level(logging.ERROR, logger="core.jobs"):
        await drain()
    assert _ran("tampered") == []
    assert any("not sealed" in r.getMessage() for r in caplog.records)


async def test_sealed_message_runs(concejo_kernel, make_tenant, drain, monkeypatch):
    tenant = await make_tenant(plugins=("alpha",))
    _put_raw(concejo_kernel, _crafted(tenant.id, "sealed"), monkeypatch,
             concejo_kernel.jobs.seal.seal)
    await drain()
    assert _ran("sealed") == [f"{tenant.slug}:sealed"]


@pytest.mark.parametrize("tenant_id", [True, "1", 1.0, -1, [1]])
async def test_tenant_must_be_an_integer_id(concejo_kernel, drain, monkeypatch, caplog,
                                            tenant_id):
    with pytest.raises(MissingTenant):
        await alpha.touch.send(tenant_id, note="typed")  # type: ignore[arg-type]
    with pytest.raises(MissingTenant):
        concejo_kernel.jobs.broker.enqueue(_crafted(tenant_id, "typed"))
    # sealed with the deployment key, yet not an id: still refused when processed
    seal = concejo_kernel.jobs.seal
    _put_raw(concejo_kernel, _crafted(tenant_id, "typed"), monkeypatch, seal.seal)
    with caplog.at_level(logging.ERROR, logger="core.jobs"):
        await drain()
    assert _ran("typed") == []
    assert any("no tenant" in r.getMessage() for r in caplog.records)


def _file_for(entity) -> bytes:
    fichero = msgspec.structs.replace(full(), destino=sicres.Destino(
        codigo_entidad_registral_destino=entity.oficina,
        codigo_unidad_tramitacion_destino=entity.urbanismo))
    return sicres.export_asiento(fichero)


async def test_a_job_reads_no_document_of_another_tenant(make_entity, drain, caplog):
    from core.documents.services import keep_delivered

    a, b = await make_entity(), await make_entity()
    b_document = await keep_delivered(b.tenant, _file_for(a), filename="intercambio.xml",
                                      mime="application/xml", title="Fichero SICRES recibido",
                                      actor="sir")
    await tasks.sir_receive.send(a.tenant.id, document_id=b_document)  # sealed, but B's file
    with caplog.at_level(logging.WARNING):
        await drain()
    assert await sir.list_exchanges(a.tenant, "incoming") == []
    assert any("not a document of" in r.getMessage() for r in caplog.records)
    # the same file handed to A as A's document is received
    a_document = await keep_delivered(a.tenant, _file_for(a), filename="intercambio.xml",
                                      mime="application/xml", title="Fichero SICRES recibido",
                                      actor="sir")
    await tasks.sir_receive.send(a.tenant.id, document_id=a_document)
    await drain()
    assert len(await sir.list_exchanges(a.tenant, "incoming")) == 1
