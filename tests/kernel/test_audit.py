"""The audit chain: intact after normal use, and tampering is named by verify."""

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
