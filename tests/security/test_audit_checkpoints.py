"""Signed audit checkpoints: cutting a chain and moving its head, or editing an entry and
recomputing every later hash, passes the chain's own check — not the last checkpoint,
sealed by the diputación, timestamped and kept in the blob store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core import kernel as _kernel
from core.audit import checkpoints
from core.audit.log import _digest, record, verify
from core.audit.tables import AuditEntry, AuditHead
from core.signing.devpki import make_dev_pki
from core.signing.devsetup import pki_directory, provision_dev_pki
from core.signing.tsa import TsaClient, TsaServer
from core.tenancy.context import operator_tenant


@pytest.fixture
async def sealed_operator(make_tenant):
    operator = await operator_tenant() or await make_tenant(kind="diputacion")
    await provision_dev_pki([operator.slug])
    return operator


@pytest.fixture
async def with_tsa(monkeypatch):
    pki = await asyncio.to_thread(make_dev_pki, pki_directory(), [], [])
    with TsaServer.from_dev_pki(pki) as server:
        client = TsaClient(server.url)
        monkeypatch.setattr(_kernel.current().signing, "timestamper", client)
        yield
        client.close()


async def _chain(make_tenant, entries: int):
    tenant = await make_tenant()
    for n in range(entries):
        await record(tenant.id, "test.checkpointed", actor=f"ana-{n}")
    return tenant


async def _rows(tenant_id: int) -> list[dict]:
    return await AuditEntry.select().where(AuditEntry.tenant == tenant_id).order_by(
        AuditEntry.seq)


async def test_a_cut_chain_with_its_head_moved_is_named(make_tenant, sealed_operator,
                                                        with_tsa, concejo_cli):
    tenant = await _chain(make_tenant, 5)
    signed = await checkpoints.make()
    assert signed.timestamped_at is not None and signed.signer
    [head] = [h for h in signed.checkpoint.heads if h.tenant == tenant.id]
    last = head.seq
    assert last >= 5
    ok = await concejo_cli("audit", "verify", "--tenant", tenant.slug)
    assert ok.returncode == 0 and f"{tenant.slug}: intact (checkpoint matches)" in ok.stdout, ok

    rows = await _rows(tenant.id)  # whoever writes the database cuts the last two
    await AuditEntry.delete().where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.seq > last - 2))
    await AuditHead.update({AuditHead.seq: last - 2, AuditHead.hash: rows[-3]["hash"]}).where(
        AuditHead.tenant == tenant.id)
    assert await verify(tenant.id) is None  # the chain alone looks intact
    cut = await concejo_cli("audit", "verify", "--tenant", tenant.slug)
    assert cut.returncode == 1
    assert f"{tenant.slug}: BROKEN at entry {last - 1}: entries {last - 1} to {last} are " \
        "missing" in cut.stdout, cut


async def test_a_rewritten_chain_is_named(make_tenant, sealed_operator, concejo_cli):
    tenant = await _chain(make_tenant, 4)
    await checkpoints.make()
    rows = await _rows(tenant.id)  # edit an entry, recompute every later hash and the head
    prev = rows[0]["hash"]
    for row in rows[1:]:
        if row["seq"] == len(rows) - 2:
            row["actor"] = "mallory"
        row["prev_hash"], row["hash"] = prev, _digest(prev, row)
        await AuditEntry.update({AuditEntry.actor: row["actor"],
                                 AuditEntry.prev_hash: row["prev_hash"],
                                 AuditEntry.hash: row["hash"]}).where(
            AuditEntry.id == row["id"])
        prev = row["hash"]
    await AuditHead.update({AuditHead.hash: prev}).where(AuditHead.tenant == tenant.id)
    assert await verify(tenant.id) is None
    result = await concejo_cli("audit", "verify", "--tenant", tenant.slug)
    assert result.returncode == 1
    n = len(rows)
    assert f"{tenant.slug}: BROKEN at entry {n}: entry {n} is not the one the checkpoint" \
        in result.stdout, result


async def test_checkpoints_are_exported_and_a_changed_one_does_not_verify(
        make_tenant, sealed_operator, concejo_cli, tmp_path: Path):
    await _chain(make_tenant, 1)
    made = await concejo_cli("audit", "checkpoint")  # the command, without a TSA
    assert made.returncode == 0 and "sealed by" in made.stdout, made
    exported = await concejo_cli("audit", "export-checkpoints", str(tmp_path))
    assert exported.returncode == 0, exported
    name = (await checkpoints.stored())[-1]
    content = (tmp_path / f"{name}.json").read_bytes()
    signature = (tmp_path / f"{name}.p7s").read_bytes()
    signer, _ = checkpoints.check(content, signature)  # what a third party can check
    assert signer
    with pytest.raises(checkpoints.CheckpointError):
        checkpoints.check(content.replace(b'"seq":', b'"seq":1', 1), signature)
    with pytest.raises(FileExistsError):  # a name is never written twice
        checkpoints._put_named(f"{name}.json", b"{}")


async def test_the_scheduler_takes_a_checkpoint_once_per_period(concejo_kernel, make_tenant,
                                                                sealed_operator, drain):
    tenant = await _chain(make_tenant, 2)
    before = await checkpoints.stored()
    when = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    await concejo_kernel.run_schedules(when)
    await concejo_kernel.run_schedules(when.replace(hour=20))  # the same day: once
    await drain()
    after = await checkpoints.stored()
    assert len(after) == len(before) + 1
    last = await checkpoints.load(after[-1])
    assert any(h.tenant == tenant.id for h in last.checkpoint.heads)
