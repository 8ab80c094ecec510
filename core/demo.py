"""The demo province: the Diputación de Soria and entities of every kind, with staff users.

Real INE codes are used for real municipalities (from DOMAIN.md); DIR3 codes follow the
rule ``L01`` + INE + control digit. NIFs are synthetic (check-digit valid, not the official
ones) and the mancomunidad, EMD and consorcio are invented and flagged ``demo``. Every
entity is in Castilla y León with the shipped calendars 2025-2027 loaded; Soria's sede
offers the five languages. Loading twice changes nothing.
"""

from __future__ import annotations

import msgspec
from stdnum.es import cif

from core import kernel as _kernel
from core.calendar_app.services import load_year
from core.events import gather_hook
from core.identity.services import ensure_user, grant_role
from core.tenancy.codes import municipality_dir3, provincial_dir3
from core.tenancy.context import EntityContact, TenantContext, tenant_by_slug
from core.tenancy.services import NewTenant, add_tenant, add_unit, set_plugin, update_profile
from core.tenancy.tables import TenantKind

DEMO_PASSWORD = "concejo-demo"
CALENDAR_YEARS = (2025, 2026, 2027)  # the years core/calendar/data/festivos.toml holds
ACTOR = "demo"


class DemoCitizen(msgspec.Struct, frozen=True):
    """A person of the demo data (synthetic DNI / NIE with valid check letters), used by
    the plugins' demo examples and by the demo's Cl@ve stand-in."""

    key: str
    nif: str
    given_name: str
    first_surname: str
    second_surname: str = ""
    email: str = ""

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.given_name, self.first_surname, self.second_surname)
                        if p)


LUCIA = DemoCitizen("lucia", "12345678Z", "Lucía", "Martín", "Gómez",
                    email="lucia.demo@example.org")
JAVIER = DemoCitizen("javier", "87654321X", "Javier", "Gómez", "Ortega")
JOANA = DemoCitizen("joana", "X1234567L", "Joana", "Silva")
DEMO_CITIZENS = (LUCIA, JAVIER, JOANA)


def synthetic_nif(prefix: str) -> str:
    """A check-digit valid CIF of a local corporation (``P`` + 7 digits + letter)."""
    return prefix + cif.calc_check_digits(prefix)[1]


class DemoEntity(msgspec.Struct, kw_only=True):
    slug: str
    kind: TenantKind
    name: str
    ine: str | None
    dir3: str
    nif: str
    demo: bool = False
    names: dict[str, str] = {}
    languages: tuple[str, ...] = ("es", "en")
    community: str = "CL"  # Soria is in Castilla y León


def _contact(slug: str) -> EntityContact:
    """Contact data for the sede; clearly demo (no real address, phone or mailbox)."""
    return EntityContact(address="Plaza Mayor, 1 (dirección de demostración)",
                         email=f"registro@{slug}.demo", dpo_email="dpd@diputacion-soria.demo",
                         office_hours="Lunes a viernes, de 9:00 a 14:00")


ENTITIES = (
    DemoEntity(slug="diputacion-soria", kind=TenantKind.diputacion, name="Diputación de Soria",
               ine=None, dir3=provincial_dir3("42"), nif=synthetic_nif("P4200000")),
    DemoEntity(slug="soria", kind=TenantKind.ayuntamiento, name="Ayuntamiento de Soria",
               ine="42173", dir3=municipality_dir3("42173"), nif=synthetic_nif("P4217300"),
               languages=("es", "ca", "gl", "eu", "en")),
    DemoEntity(slug="olvega", kind=TenantKind.ayuntamiento, name="Ayuntamiento de Ólvega",
               ine="42134", dir3=municipality_dir3("42134"), nif=synthetic_nif("P4213400")),
    DemoEntity(slug="agreda", kind=TenantKind.ayuntamiento, name="Ayuntamiento de Ágreda",
               ine="42004", dir3=municipality_dir3("42004"), nif=synthetic_nif("P4200400")),
    DemoEntity(slug="mancomunidad-moncayo-demo", kind=TenantKind.mancomunidad,
               name="Mancomunidad del Moncayo (demostración)", ine=None, dir3="L05DEMO01",
               nif=synthetic_nif("P4290001"), demo=True),
    DemoEntity(slug="emd-valdelagua-demo", kind=TenantKind.emd,
               name="EMD de Valdelagua (demostración)", ine=None, dir3="L03DEMO01",
               nif=synthetic_nif("P4290002"), demo=True),
    DemoEntity(slug="consorcio-residuos-demo", kind=TenantKind.consorcio,
               name="Consorcio Provincial de Residuos (demostración)", ine=None,
               dir3="L06DEMO01", nif=synthetic_nif("P4290003"), demo=True),
)

# (email, name, [(tenant slug, role), ...])
USERS = (
    ("admin@diputacion.demo", "Ana Admin (SAM)", [("diputacion-soria", "diputacion_admin")]),
    ("soporte@diputacion.demo", "Sergio Soporte (SAM)",
     [("diputacion-soria", "diputacion_support")]),
    ("secretaria@olvega.demo", "Sara Secretaria Interventora",
     [("olvega", "secretario"), ("agreda", "secretario"), ("emd-valdelagua-demo", "secretario"),
      ("mancomunidad-moncayo-demo", "secretario")]),
    ("alcaldesa@agreda.demo", "Alicia Alcaldesa", [("agreda", "firmante")]),
    ("alcalde@soria.demo", "Álvaro Alcalde", [("soria", "firmante")]),
    ("secretario@soria.demo", "Sonia Secretaria", [("soria", "secretario")]),
    ("alcalde@olvega.demo", "Olga Alcaldesa", [("olvega", "firmante")]),
    ("registro@soria.demo", "Rafael Registro", [("soria", "registro")]),
    ("tramitador@soria.demo", "Teresa Tramitadora", [("soria", "tramitador")]),
    ("admin@soria.demo", "Adrián Admin", [("soria", "entity_admin")]),
    ("lectura@soria.demo", "Lucía Lectura", [("soria", "read_only")]),
)


def _plugins_of(slug: str) -> list[str]:
    """The installed plugins that name this demo entity in their manifest."""
    manifests = _kernel.current().plugins.manifests
    return [name for name, manifest in manifests.items() if slug in manifest.demo_entities]


async def _ensure_tenant(entity: DemoEntity, parent: str | None) -> TenantContext:
    existing = await tenant_by_slug(entity.slug)
    contact, languages = _contact(entity.slug), list(entity.languages)
    if existing is None:
        return await add_tenant(NewTenant(
            slug=entity.slug, kind=entity.kind, name=entity.name, dir3=entity.dir3,
            nif=entity.nif, ine_code=entity.ine, names=entity.names, parent_slug=parent,
            demo=entity.demo, community=entity.community, contact=contact,
            languages=languages), actor=ACTOR)
    if (existing.community, existing.contact, existing.languages) == (
            entity.community, contact, languages):
        return existing
    return await update_profile(existing, community=entity.community, contact=contact,
                                languages=languages, actor=ACTOR)


async def load_demo() -> list[str]:
    """Create (or complete) the demo province; returns lines saying where to log in."""
    diputacion = ENTITIES[0]
    for entity in ENTITIES:
        tenant = await _ensure_tenant(entity, None if entity is diputacion else diputacion.slug)
        await add_unit(tenant.id, entity.dir3, entity.name)
        for plugin in _plugins_of(entity.slug):
            if not tenant.is_enabled(plugin):
                tenant = await set_plugin(tenant, plugin, True, actor=ACTOR)
    for year in CALENDAR_YEARS:
        await load_year(year, actor=ACTOR, replace=False)
    for email, name, roles in USERS:  # before the examples: they name signers, adscripciones
        user_id = await ensure_user(email, name, DEMO_PASSWORD)
        for slug, role in roles:
            tenant = await tenant_by_slug(slug)
            assert tenant is not None
            await grant_role(user_id, tenant.id, role)
    for entity in ENTITIES:  # plugins seed their examples (idempotent: see on_demo_loaded)
        tenant = await tenant_by_slug(entity.slug)
        hooks = _kernel.current().plugins.hooks_for(tenant.enabled)
        await gather_hook(hooks.on_demo_loaded(tenant=tenant))
    lines = [f"Demo province loaded: {len(ENTITIES)} entities, {len(USERS)} users, "
             f"password '{DEMO_PASSWORD}' for all:"]
    lines += [f"  {email:28} {', '.join(f'{r}@{s}' for s, r in roles)}"
              for email, _, roles in USERS]
    lines.append("Administrative roles enrol a TOTP second factor at their first login "
                 "(scan the QR with an authenticator app).")
    return lines
