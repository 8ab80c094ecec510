"""Demo data of the registro (``concejo demo``): a registry office and two units per entity,
with demo-only DIR3 codes, and a few entradas and a salida the first time."""

from __future__ import annotations

import hashlib

from core.demo import JOANA, LUCIA
from core.tenancy.context import TenantContext
from core.tenancy.services import add_unit
from plugins.registro import services
from plugins.registro.schemas import AsientoIn, InteresadoIn, Persona
from plugins.registro.tables import Asiento


def demo_codes(tenant: TenantContext) -> tuple[str, str, str]:
    """Office, Urbanismo and Secretaría codes: ``ODEMO…`` / ``ADEMO…``, never official."""
    tag = hashlib.sha256(tenant.slug.encode()).hexdigest()[:4].upper()
    return f"ODEMO{tag}", f"ADEMO{tag}", f"SDEMO{tag}"


def _examples(urbanismo: str, secretaria: str) -> list[AsientoIn]:
    vecina = InteresadoIn(document=LUCIA.nif, name=LUCIA.given_name,
                          first_surname=LUCIA.first_surname,
                          second_surname=LUCIA.second_surname, email=LUCIA.email)
    empresa = InteresadoIn(document="B42000000", business_name="Construcciones Duero, S.L.",
                           representante=Persona(document=JOANA.nif, name=JOANA.given_name,
                                                 first_surname=JOANA.first_surname))
    return [
        AsientoIn(extracto="Solicitud de licencia de obra menor (reforma de cocina)",
                  interesados=[vecina], unidad_destino=urbanismo,
                  expone="Que deseo reformar la cocina de mi vivienda.",
                  solicita="Licencia de obra menor."),
        AsientoIn(extracto="Alegaciones al proyecto de urbanización del sector 4",
                  interesados=[empresa], documentacion_fisica="2",
                  observaciones="Planos en papel"),
        AsientoIn(extracto="Queja por el alumbrado de la calle Mayor", interesados=[vecina],
                  unidad_destino=secretaria),
        AsientoIn(direction="salida", extracto="Requerimiento de subsanación de la solicitud",
                  interesados=[vecina], unidad_origen=urbanismo),
    ]


async def seed(tenant: TenantContext) -> None:
    """Units and example asientos (only when the entity has none yet)."""
    oficina, urbanismo, secretaria = demo_codes(tenant)
    await add_unit(tenant.id, oficina, "Oficina de asistencia en materia de registros (demo)",
                   is_office=True)
    await add_unit(tenant.id, urbanismo, "Urbanismo (demo)")
    await add_unit(tenant.id, secretaria, "Secretaría (demo)")
    if await Asiento.exists().where(Asiento.tenant == tenant.id):
        return
    for example in _examples(urbanismo, secretaria):
        await services.register(tenant, example, channel="presencial", actor="demo")
