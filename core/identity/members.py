"""The staff of an entity as its administration manages it: add a person with a role,
give or withdraw roles, withdraw the person. Every change is audited in the entity; the
entity always keeps an administrator, and only the diputación hands out its own roles."""

from __future__ import annotations

import re

import msgspec

from core.audit.log import record
from core.db import atomic
from core.errors import DomainError, NotFoundError
from core.identity.actor import ROLE_PERMISSIONS
from core.identity.services import ensure_user, grant_role
from core.identity.tables import Membership, User

#: Roles an entity's administration may give: every built-in one but the diputación's.
ENTITY_ROLES: tuple[str, ...] = tuple(r for r in ROLE_PERMISSIONS
                                      if not r.startswith("diputacion_"))
ADMIN_ROLE = "entity_admin"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class MemberNotFound(NotFoundError):
    """No such person on the staff of this entity."""


class MemberRefused(DomainError):
    """A change of the staff that breaks a rule; ``fields`` names each wrong field."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(" ".join(fields.values()))
        self.fields = fields


class Member(msgspec.Struct, kw_only=True):
    id: int
    name: str
    email: str
    active: bool
    roles: list[str]


async def members(tenant_id: int) -> list[Member]:
    """The entity's staff, by name, each with their roles here."""
    rows = await Membership.select(
        Membership.role, Membership.user.id.as_alias("id"), Membership.user.name.as_alias("name"),
        Membership.user.email.as_alias("email"), Membership.user.is_active.as_alias("active"),
    ).where(Membership.tenant == tenant_id)
    found: dict[int, Member] = {}
    for r in rows:
        person = found.setdefault(r["id"], Member(id=r["id"], name=r["name"], email=r["email"],
                                                  active=bool(r["active"]), roles=[]))
        person.roles.append(r["role"])
    for person in found.values():
        person.roles.sort(key=list(ROLE_PERMISSIONS).index)
    return sorted(found.values(), key=lambda m: m.name.lower())


async def member(tenant_id: int, user_id: int) -> Member:
    for person in await members(tenant_id):
        if person.id == user_id:
            return person
    raise MemberNotFound(user_id)


def check_new_member(email: str, name: str, role: str) -> dict[str, str]:
    """What is wrong with each field of a new member (empty: nothing)."""
    wrong = {}
    if not _EMAIL.match(email) or len(email) > 254:
        wrong["email"] = "«Correo electrónico» no es una dirección de correo válida."
    if not 2 <= len(name) <= 200:
        wrong["name"] = "«Nombre y apellidos» debe tener entre 2 y 200 caracteres."
    if role not in ENTITY_ROLES:
        wrong["role"] = "«Rol» no es uno de los roles de la entidad."
    return wrong


async def add_member(tenant_id: int, email: str, name: str, role: str, *,
                     actor: str) -> tuple[int, bool]:
    """Give a person (created if new, without a password) a role here; returns their id
    and whether the account is new (then it needs an invitation to set its password)."""
    email, name = email.strip().lower(), name.strip()
    if wrong := check_new_member(email, name, role):
        raise MemberRefused(wrong)
    async with atomic():
        is_new = not await User.exists().where(User.email == email)
        user_id = await ensure_user(email, name)
        await grant_role(user_id, tenant_id, role, actor=actor)
    return user_id, is_new


async def give_role(tenant_id: int, user_id: int, role: str, *, actor: str) -> None:
    await member(tenant_id, user_id)
    if role not in ENTITY_ROLES:
        raise MemberRefused({"role": "«Rol» no es uno de los roles de la entidad."})
    await grant_role(user_id, tenant_id, role, actor=actor)


async def withdraw(tenant_id: int, user_id: int, roles: list[str] | None, *,
                   actor: str) -> None:
    """Withdraw some roles of a person here (all of them: the person leaves the staff);
    refused when the entity would be left without an administrator."""
    person = await member(tenant_id, user_id)
    taken = [r for r in (person.roles if roles is None else roles) if r in person.roles]
    if ADMIN_ROLE in taken:
        others = await Membership.count().where(
            (Membership.tenant == tenant_id) & (Membership.role == ADMIN_ROLE)
            & (Membership.user != user_id))
        if not others:
            raise MemberRefused({"role": "La entidad no puede quedarse sin administración: "
                                         "nombre antes a otra persona."})
    async with atomic():
        for role in taken:
            await Membership.delete().where(
                (Membership.tenant == tenant_id) & (Membership.user == user_id)
                & (Membership.role == role))
            await record(tenant_id, "membership.withdrawn", actor=actor,
                         target=f"user:{user_id}", detail={"role": role})
