"""Shared data and helpers of the expedientes tests (imported by name, like signing_tools)."""

from __future__ import annotations

import msgspec

from plugins.expedientes import catalogo
from plugins.expedientes.schemas import ProcedimientoIn

LICENCIA = {
    "code": "licencia-obra-menor", "name": "Licencia de obra menor", "sia_code": "2234567",
    "plazo": 3, "plazo_unit": "meses", "silencio": "estimatorio",
    "fases": [{"name": "Instrucción", "tareas": [{"title": "Informe técnico", "dias": 10}]},
              {"name": "Resolución", "tareas": [{"title": "Propuesta de resolución",
                                                 "dias": 5}]}],
    "plantillas": [
        {"code": "requerimiento", "title": "Requerimiento de subsanación",
         "tipo_documental": "TD06",
         "body": "En relación con el expediente {{ expediente.numero }} "
                 "({{ expediente.asunto }}), se requiere a {{ interesado.nombre }} "
                 "({{ interesado.nif }}) que aporte la documentación.\n\n{{ fecha }}"},
        {"code": "concesion", "title": "Decreto de concesión de licencia",
         "tipo_documental": "TD01",
         "body": "Vista la solicitud de {{ interesado.nombre }}, RESUELVO conceder la "
                 "licencia de obra menor solicitada ({{ expediente.asunto }})."}],
}


async def add_licencia(tenant, **changes):
    """The obra menor procedure (two phases, two templates) in the tenant's catalogue."""
    return await catalogo.create(tenant, msgspec.convert({**LICENCIA, **changes},
                                                         ProcedimientoIn), actor="test")
