"""Tenancy tables: tenants, host names, units and offices (DIR3), plugin enablement."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import JSON, Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.table import Table


class TenantKind(StrEnum):
    diputacion = "diputacion"
    ayuntamiento = "ayuntamiento"
    mancomunidad = "mancomunidad"
    emd = "emd"
    consorcio = "consorcio"


class Tenant(Table, tablename="core_tenant"):
    """One local entity: the diputación itself or an entity it serves."""

    slug = Varchar(length=63, unique=True)
    kind = Varchar(length=20, choices=TenantKind)
    name = Varchar(length=200)
    names = JSON(default={})  # official names in co-official languages: {"gl": "..."}
    ine_code = Varchar(length=5, null=True, default=None)
    dir3 = Varchar(length=9, unique=True)
    nif = Varchar(length=9)
    parent = ForeignKey("self", null=True, default=None)
    languages = JSON(default=["es"])
    community = Varchar(length=2, null=True, default=None)  # comunidad autónoma: "CL"
    contact = JSON(default={})  # EntityContact: address, phone, e-mail, DPO... for the sede
    demo = Boolean(default=False)  # demo-only entity whose codes are not official
    created_at = Timestamptz()


class TenantHost(Table, tablename="core_tenant_host"):
    """A host name that maps to a tenant (its own sede domain)."""

    tenant = ForeignKey(Tenant)
    host = Varchar(length=253, unique=True)


class Unit(Table, tablename="core_unit"):
    """An administrative unit or a registry office of a tenant, by its DIR3 code."""

    tenant = ForeignKey(Tenant)
    dir3 = Varchar(length=9)
    name = Varchar(length=200)
    is_office = Boolean(default=False)  # oficina de asistencia en materia de registros
    parent = ForeignKey("self", null=True, default=None)
    # unique key (tenant, dir3): a unique index in the migrations


class TenantPlugin(Table, tablename="core_tenant_plugin"):
    """Whether a plugin is enabled for a tenant, and its per-tenant settings."""

    tenant = ForeignKey(Tenant)
    plugin = Varchar(length=63)
    enabled = Boolean(default=False)
    settings = JSON(default={})
    updated_at = Timestamptz()
    # unique key (tenant, plugin): a unique index in the migrations
