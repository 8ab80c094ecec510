"""Cost of the document platform layer over the bare signature it wraps.

Run: .venv/bin/python benchmarks/documents.py [--rounds N]
An embedded deployment (SQLite, file blob store) in a temporary folder, one entity with its
seal from the development PKI. Reference: ``sign_pdf`` alone with the same seal and a
visible CSV stamp. Measured: ``issue_document`` sealed (strip metadata + seal + blob + rows
+ audit + event), unsealed, a personal signature added by a flow step, and CSV look-ups
(``find_by_csv``). Each figure is the median of ``rounds`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable

from core.documents.csvcode import new_csv
from core.documents.services import find_by_csv, issue_document
from core.identity.services import ensure_user, grant_role
from core.kernel import boot
from core.settings import Settings
from core.signing.credentials import SEAL, signer_for
from core.signing.devsetup import provision_dev_pki
from core.signing.flows import sign_step, start_flow
from core.signing.pades import sign_pdf
from core.signing.samples import sample_pdf
from core.signing.schemas import FlowIn
from core.signing.stamp import StampInfo
from core.tenancy.services import NewTenant, add_tenant
from core.tenancy.tables import TenantKind

PDF = sample_pdf("Resolución de Alcaldía", pages=2)


async def median_ms(rounds: int, step: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await step()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as data:
        kernel = boot(Settings(data_dir=data, secret_key="benchmark"))
        await kernel.start()
        try:
            await measure(rounds)
        finally:
            await kernel.stop()


async def measure(rounds: int) -> None:
    tenant = await add_tenant(NewTenant(
        slug="bench", kind=TenantKind.ayuntamiento, name="Ayuntamiento de Prueba",
        dir3="L01999999", nif="P4299999E", demo=True), actor="bench")
    signer = await ensure_user("firmante@bench.invalid", "Firmante Prueba")
    await grant_role(signer, tenant.id, "firmante")
    await provision_dev_pki([tenant.slug])
    seal = await signer_for(tenant, SEAL)
    csv = new_csv()
    stamp = StampInfo(csv=csv, verify_url=f"http://sede.example/verificar?csv={csv}")
    await issue_document(tenant, pdf=PDF, title="Calentamiento", tipo_documental="TD01",
                         actor="bench")

    async def bare() -> None:
        await asyncio.to_thread(sign_pdf, PDF, seal, stamp=stamp)

    async def sealed() -> None:
        await issue_document(tenant, pdf=PDF, title="Resolución", tipo_documental="TD01",
                             actor="bench")

    async def unsealed() -> None:
        await issue_document(tenant, pdf=PDF, title="Borrador", tipo_documental="TD01",
                             actor="bench", sign_with_seal=False)

    documents = [await issue_document(tenant, pdf=PDF, title="Para firmar", actor="bench",
                                      tipo_documental="TD01", sign_with_seal=False)
                 for _ in range(rounds)]
    steps = [(await start_flow(tenant, FlowIn(document_id=d.id, signers=[signer]),
                               actor="bench")).steps[0].id for d in documents]

    async def flow_step() -> None:
        await sign_step(tenant, steps.pop(), user_id=signer, actor="bench")

    async def lookup() -> None:
        await find_by_csv(tenant, documents[0].csv.lower())

    reference = await median_ms(rounds, bare)
    print(f"reference sign_pdf (seal, visible stamp): {reference:.1f} ms")
    for label, step in (("issue_document, sealed", sealed),
                        ("issue_document, unsealed", unsealed),
                        ("flow step (personal signature)", flow_step),
                        ("CSV look-up (find_by_csv)", lookup)):
        ms = await median_ms(rounds, step)
        print(f"{label}: {ms:.1f} ms ({1000 / ms:.0f}/s), {ms / reference:.2f}x the reference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    asyncio.run(run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
