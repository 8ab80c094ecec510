"""The audit chain: intact after normal use, and tampering is named by verify."""

import asyncio

from core.audit.log import record, verify
from core.audit.tables import AuditEntry


def owner(kernel):
    """Tampering needs the owner's access: the runtime role may not change the log."""
    return kernel.db.owner_engine


async def test_chain_is_intact_and_tampering_is_caught(concejo_kernel, make_tenant):
    tenant = await make_tenant(plugins=("alpha",))
    for i in range(5):
        await record(tenant.id, "test.action", actor="ana", target=str(i), ip="127.0.0.1",
                     detail={"i": i, "texto": "ñandú €"})
    assert await verify(tenant.id) is None
    rows = await AuditEntry.select(AuditEntry.seq).where(AuditEntry.tenant == tenant.id)
    victim = rows[3]["seq"]
    await owner(concejo_kernel).run_ddl(f"UPDATE core_audit_entry SET actor = 'mallory' "
                           f"WHERE tenant = {tenant.id} AND seq = {victim}")
    broken = await verify(tenant.id)
    assert broken is not None and broken.seq == victim
    assert "content" in broken.reason


async def test_deleted_entry_is_caught(concejo_kernel, make_tenant):
    tenant = await make_tenant()
    for i in range(3):
        await record(tenant.id, "test.action", actor="ana", target=str(i))
    rows = await AuditEntry.select(AuditEntry.seq).where(AuditEntry.tenant == tenant.id
                                                          ).order_by(AuditEntry.seq)
    await owner(concejo_kernel).run_ddl(f"DELETE FROM core_audit_entry WHERE tenant = {tenant.id} "
                           f"AND seq = {rows[1]['seq']}")
    broken = await verify(tenant.id)
    assert broken is not None and broken.seq == rows[1]["seq"] and "missing" in broken.reason


async def test_a_chain_cut_short_at_its_end_is_caught(concejo_kernel, make_tenant):
    tenant = await make_tenant()
    for i in range(4):
        await record(tenant.id, "test.action", actor="ana", target=str(i))
    last = (await AuditEntry.select(AuditEntry.seq).where(AuditEntry.tenant == tenant.id
                                                           ).order_by(AuditEntry.seq))[-1]
    await owner(concejo_kernel).run_ddl(f"DELETE FROM core_audit_entry WHERE tenant = {tenant.id} "
                           f"AND seq >= {last['seq'] - 1}")
    broken = await verify(tenant.id)
    assert broken is not None and broken.seq == last["seq"] - 1
    assert broken.reason == f"entries {last['seq'] - 1} to {last['seq']} are missing at the end"


async def test_concurrent_writers_of_one_tenant_keep_one_chain(make_tenant):
    tenant = await make_tenant()
    await asyncio.gather(*(record(tenant.id, "test.race", actor=f"user{i}", target=str(i))
                           for i in range(30)))
    seqs = [r["seq"] for r in await AuditEntry.select(AuditEntry.seq).where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "test.race"))]
    assert len(seqs) == len(set(seqs)) == 30
    assert await verify(tenant.id) is None


async def test_cli_audit_verify_names_the_broken_link(concejo_cli, concejo_kernel,
                                                      make_tenant):
    tenant = await make_tenant()
    await record(tenant.id, "test.action", actor="ana")
    ok = await concejo_cli("audit", "verify", "--tenant", tenant.slug)
    assert ok.returncode == 0, ok.stderr
    assert f"{tenant.slug}: intact" in ok.stdout
    await owner(concejo_kernel).run_ddl(f"UPDATE core_audit_entry SET action = 'forged' "
                           f"WHERE tenant = {tenant.id}")
    bad = await concejo_cli("audit", "verify", "--tenant", tenant.slug)
    assert bad.returncode == 1
    assert f"{tenant.slug}: BROKEN at entry 1" in bad.stdout


async def test_record_names_the_actor_it_is_given(make_tenant):
    """An Actor is recorded by its audit name: a token with its label, a support access
    with both the person and the access it belongs to."""
    from core.audit.log import record
    from core.audit.tables import AuditEntry
    from core.identity.actor import Actor

    tenant = await make_tenant()
    token = Actor(kind="integration", name="Integración contable", email="ana@x.invalid",
                  token_id=7)
    support = Actor(kind="staff", email="sam@diputacion.invalid",
                    on_behalf_of="Soporte SAM: incidencia 42")
    await record(tenant.id, "pruebas.token", actor=token)
    await record(tenant.id, "pruebas.support", actor=support)
    rows = await AuditEntry.select(AuditEntry.actor, AuditEntry.on_behalf_of).where(
        AuditEntry.tenant == tenant.id).where(AuditEntry.action.like("pruebas.%")).order_by(
        AuditEntry.seq)
    assert [(r["actor"], r["on_behalf_of"]) for r in rows] == [
        ("token:7 «Integración contable» (ana@x.invalid)", ""),
        ("sam@diputacion.invalid", "Soporte SAM: incidencia 42")]
