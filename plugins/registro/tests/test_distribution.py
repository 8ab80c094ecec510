"""Distribution: an entrada reaches its unit's inbox, other plugins hear of it through
``on_asiento_distributed``, the unit accepts or returns it, and an expediente is linked."""

from __future__ import annotations

import types

import pytest

from core.plugins import hookimpl
from plugins.registro import distribution, services
from plugins.registro.tests.conftest import solicitud


@pytest.fixture
def listener(concejo_kernel):
    """A plugin module listening to the registro's hook, registered for this test only."""
    heard: list[tuple[str, str, str]] = []

    @hookimpl
    def on_asiento_distributed(asiento, unidad, tenant):
        heard.append((tenant.slug, asiento.numero, unidad))

    module = types.ModuleType("expedientes_listener")
    module.on_asiento_distributed = on_asiento_distributed
    concejo_kernel.plugins.pm.register(module)
    yield heard
    concejo_kernel.plugins.pm.unregister(module)


async def test_distribution_is_announced_accepted_returned_and_linked(make_entity, drain,
                                                                      listener):
    entity = await make_entity()
    direct = await services.register(entity.tenant, solicitud(unidad_destino=entity.urbanismo),
                                     channel="presencial", actor="t")
    later = await services.register(entity.tenant, solicitud(), channel="presencial",
                                    actor="t")
    assert (direct.distribution_state, later.distribution_state) == ("distribuido",
                                                                      "pendiente")
    await drain()
    assert listener == [(entity.slug, direct.numero, entity.urbanismo)]
    inbox = await distribution.inbox(entity.tenant, entity.urbanismo)
    assert [a.numero for a in inbox] == [direct.numero]

    with pytest.raises(services.InvalidAsiento, match="no admite"):
        await distribution.accept(entity.tenant, later.id, actor="t")
    with pytest.raises(services.InvalidAsiento, match="no es una unidad"):
        await distribution.distribute(entity.tenant, later.id, "A00000000", actor="t")
    await distribution.distribute(entity.tenant, later.id, entity.intervencion, actor="t")
    returned = await distribution.give_back(entity.tenant, later.id, "No es de Intervención",
                                            actor="t")
    assert (returned.distribution_state, returned.distribution_reason) == (
        "devuelto", "No es de Intervención")
    await distribution.distribute(entity.tenant, later.id, entity.urbanismo, actor="t")
    accepted = await distribution.accept(entity.tenant, later.id, actor="t")
    assert accepted.distribution_state == "aceptado"
    taken = await distribution.inbox(entity.tenant, entity.urbanismo)
    assert [a.numero for a in taken] == [direct.numero]  # accepted ones leave the inbox
    linked = await distribution.link_expediente(entity.tenant, later.id, "2026/EXP/000042",
                                                actor="expedientes")
    assert linked.numero_expediente == "2026/EXP/000042"
    await drain()
    # one announcement per distribution; jobs run in parallel, so in either order
    assert sorted(listener[1:]) == sorted([(entity.slug, later.numero, entity.intervencion),
                                           (entity.slug, later.numero, entity.urbanismo)])

    salida = await services.register(entity.tenant, solicitud(direction="salida"),
                                     channel="presencial", actor="t")
    with pytest.raises(services.InvalidAsiento, match="Solo se distribuyen"):
        await distribution.distribute(entity.tenant, salida.id, entity.urbanismo, actor="t")


async def test_demo_seed_is_idempotent(make_tenant):
    from plugins.registro import demo

    tenant = await make_tenant(plugins=("registro",))
    await demo.seed(tenant)
    await demo.seed(tenant)
    oficina, urbanismo, _ = demo.demo_codes(tenant)
    units = await services.units_of(tenant)
    assert units[oficina]["is_office"] and urbanismo in units
    items, total = await services.search(tenant, services.Search())
    assert total == 4 and {i.direction for i in items} == {"entrada", "salida"}
    assert all(i.numero.split("-")[2] in ("000001", "000002", "000003") for i in items)
