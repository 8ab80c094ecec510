"""What pages show for the codes the platform stores: ENI tipos documentales, signature
steps, plazos, HTTP errors and the entity's units (Spanish msgids, translated when shown).

Installed as Jinja filters: ``{{ d.tipo_documental | tipo_documental }}`` ("Acuse de
recibo"), ``{{ s.state | paso_firma }}``, ``{{ p.plazo | plazo(p.plazo_unit) }}``
("1 mes", "3 meses", "10 días hábiles"), ``{{ e.unit_dir3 | unit }}`` (the unit's name with
its DIR3 code after it, from the page's ``units``), and a plugin's own codes through its
table of msgids: ``{{ e.state | label(labels.SIR_STATE) }}`` ("Pendiente de envío").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import pass_context

from core.web.formats import format_date, format_datetime
from core.web.i18n import N_, gettext, ngettext

#: the names of the NTI's tipos documentales (Resolución de 19 de julio de 2011, anexo I)
TIPO_DOCUMENTAL = {
    "TD01": N_("Resolución"), "TD02": N_("Acuerdo"), "TD03": N_("Contrato"),
    "TD04": N_("Convenio"), "TD05": N_("Declaración"), "TD06": N_("Comunicación"),
    "TD07": N_("Notificación"), "TD08": N_("Publicación"), "TD09": N_("Acuse de recibo"),
    "TD10": N_("Acta"), "TD11": N_("Certificado"), "TD12": N_("Diligencia"),
    "TD13": N_("Informe"), "TD14": N_("Solicitud"), "TD15": N_("Denuncia"),
    "TD16": N_("Alegación"), "TD17": N_("Recursos"), "TD18": N_("Comunicación ciudadano"),
    "TD19": N_("Factura"), "TD20": N_("Otros incautados"), "TD99": N_("Otros"),
}

#: a step of a circuito de firma (``core.signing.flows``)
PASO_FIRMA = {"pending": N_("pendiente"), "signed": N_("firmado"),
              "rejected": N_("rechazado"), "completed": N_("completado")}

#: what an error page is titled, by HTTP status
STATUS = {400: N_("Petición no válida"), 401: N_("Identifíquese para continuar"),
          403: N_("No tiene permiso para ver esta página"),
          404: N_("No se encuentra la página"), 405: N_("Operación no admitida"),
          409: N_("La operación choca con el estado actual"),
          413: N_("El envío es demasiado grande"), 415: N_("Tipo de fichero no admitido"),
          422: N_("Los datos enviados no son válidos"),
          429: N_("Demasiadas peticiones; espere un momento"),
          500: N_("Error interno del servidor"), 503: N_("Servicio no disponible")}


#: the keys of an event's detail (``{{ e.detail | details }}``) and their words
DETAIL_KEYS = {"channel": N_("Canal"), "expires_on": N_("Disponible hasta"),
               "to": N_("Destinatario"), "nif": N_("NIF"), "number": N_("Intento"),
               "result": N_("Resultado"), "at": N_("Fecha"), "receptor": N_("Receptor"),
               "receptor_nif": N_("NIF del receptor"), "reason": N_("Motivo")}
DETAIL_VALUES = {"electronica": N_("Electrónica"), "papel": N_("Papel")}


def _detail_value(value: Any) -> str:
    """A detail's value: an ISO date or moment written as the language writes it."""
    text = str(value)
    try:
        if len(text) == 10 and text[4:5] == "-":
            return format_date(dt.date.fromisoformat(text), "short")
        if len(text) > 10 and text[4:5] == "-" and "T" in text:
            return format_datetime(dt.datetime.fromisoformat(text), "short")
    except ValueError:
        pass
    return gettext(DETAIL_VALUES[text]) if text in DETAIL_VALUES else text


def details(detail: dict[str, Any] | None) -> str:
    """An event's detail as a person reads it: "Canal: Electrónica · Disponible hasta:
    18/12/26"; empty values left out, an unknown key with spaces for its underscores."""
    return " · ".join(
        f"{gettext(DETAIL_KEYS[k]) if k in DETAIL_KEYS else k.replace('_', ' ')}: "
        f"{_detail_value(v)}" for k, v in (detail or {}).items() if v not in (None, ""))


def tipo_documental(code: str | None) -> str:
    """"Acuse de recibo" for TD09; an unknown code as it is."""
    return gettext(TIPO_DOCUMENTAL[code]) if code in TIPO_DOCUMENTAL else (code or "")


def paso_firma(state: str) -> str:
    return gettext(PASO_FIRMA[state]) if state in PASO_FIRMA else state


def label(code: str | None, names: Mapping[str, str]) -> str:
    """``code`` in words from ``names`` (code → Spanish msgid, a plugin's table); an
    unknown code as it is."""
    return gettext(names[code]) if code in names else (code or "")


def status_title(status: int) -> str:
    """The title of an error page, in the request's language."""
    if status in STATUS:
        return gettext(STATUS[status])
    return gettext(STATUS[500] if status >= 500 else STATUS[400])


def plazo(amount: int | None, unit: str) -> str:
    """A plazo in words, its plural as the language makes it."""
    if amount is None:
        return ""
    if unit == "meses":
        text = ngettext("%(num)d mes", "%(num)d meses", amount)
    elif unit == "dias_naturales":
        text = ngettext("%(num)d día natural", "%(num)d días naturales", amount)
    else:
        text = ngettext("%(num)d día hábil", "%(num)d días hábiles", amount)
    return text % {"num": amount}


@pass_context
def unit(context: Any, dir3: str | None) -> str:
    """A unit's name, its DIR3 code after it ("Urbanismo (L01421736)"); the entity's own
    code is the entity's name. ``units`` (DIR3 → name) comes with every entity's page."""
    if not dir3:
        return ""
    tenant = context.get("tenant")
    name = (context.get("units") or {}).get(dir3) or (
        tenant.name if tenant is not None and tenant.dir3 == dir3 else "")
    return f"{name} ({dir3})" if name else dir3


FILTERS = {"tipo_documental": tipo_documental, "paso_firma": paso_firma, "plazo": plazo,
           "unit": unit, "details": details, "label": label}
