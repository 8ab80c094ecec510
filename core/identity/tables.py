"""Identity tables: global users and sessions; per-tenant roles, overrides, tokens, support.

Users, sessions, login attempts, password resets and external-login flows are global (one
secretario serves several entities; a citizen is the same person on every sede). Everything
a tenant grants — memberships, role-permission overrides, API tokens, support access,
representations — carries ``tenant``.
"""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.tenancy.tables import Tenant


class User(Table, tablename="core_user"):
    """A person with a staff account; global, since one secretario serves several entities."""

    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    password_hash = Varchar(length=200, default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    totp_secret = Text(default="")  # sealed with the deployment key; "" = not enrolled
    totp_enabled_at = Timestamptz(null=True, default=None)
    totp_last_step = Integer(default=0)  # last accepted TOTP time step: no code replay
    password_changed_at = Timestamptz(null=True, default=None)


class Membership(Table, tablename="core_membership"):
    """A role of a user in a tenant."""

    user = ForeignKey(User)
    tenant = ForeignKey(Tenant)
    role = Varchar(length=40)
    # unique key (user, tenant, role): a unique index in the migrations


class Session(Table, tablename="core_session"):
    """A server-side login session; the cookie carries a random id, the row its SHA-256."""

    key = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=True, default=None)  # None for citizens
    kind = Varchar(length=20, default="staff")  # staff | citizen
    state = Varchar(length=20, default="active")  # active | mfa (code due) | enrol (must enrol)
    provider = Varchar(length=60, default="local")
    nif = Varchar(length=20, default="")  # citizens: NIF / NIE of the person
    name = Varchar(length=200, default="")
    company_nif = Varchar(length=20, default="")  # from a representative's certificate
    company_name = Varchar(length=200, default="")
    acting_for = Varchar(length=20, default="")  # NIF the citizen acts for now, if any
    acting_for_name = Varchar(length=200, default="")
    ip = Varchar(length=45, default="")
    created_at = Timestamptz()
    last_seen = Timestamptz()


class LoginAttempt(Table, tablename="core_login_attempt"):
    """One password or code attempt, for lockout per account and rate limits per address."""

    email = Varchar(length=254, index=True)
    ip = Varchar(length=45, index=True)
    at = Timestamptz()
    success = Boolean(default=False)


class PasswordReset(Table, tablename="core_password_reset"):
    """A single-use, expiring password reset token (only its SHA-256 is stored)."""

    user = ForeignKey(User)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class AuthFlow(Table, tablename="core_auth_flow"):
    """A login in progress at an external identity provider (state, nonce, PKCE verifier)."""

    state_hash = Varchar(length=64, unique=True)
    provider = Varchar(length=60)
    nonce = Varchar(length=64)
    verifier = Varchar(length=128)
    return_to = Varchar(length=500, default="/")
    created_at = Timestamptz()


class RolePermission(Table, tablename="core_role_permission"):
    """An entity's adjustment of a built-in role: grant or withdraw one permission."""

    tenant = ForeignKey(Tenant)
    role = Varchar(length=40)
    permission = Varchar(length=100)
    granted = Boolean()
    changed_by = Varchar(length=200, default="")
    changed_at = Timestamptz()
    # unique key (tenant, role, permission): a unique index in the migrations


class ApiToken(Table, tablename="core_api_token"):
    """A bearer token for an integration: owner, tenant, scopes, expiry; only a hash stored."""

    tenant = ForeignKey(Tenant)
    user = ForeignKey(User)
    name = Varchar(length=100)
    prefix = Varchar(length=12)  # first characters, to recognise a token in lists
    token_hash = Varchar(length=64, unique=True)
    scopes = JSON(default=[])
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class SupportAccess(Table, tablename="core_support_access"):
    """A diputación support (SAM) session inside an entity: who, why, until when."""

    tenant = ForeignKey(Tenant)
    user = ForeignKey(User)
    reason = Text()
    started_at = Timestamptz()
    expires_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class Representation(Table, tablename="core_representation"):
    """A representation (apoderamiento) known to the entity: who may act for whom."""

    tenant = ForeignKey(Tenant)
    representative_nif = Varchar(length=20, index=True)
    represented_nif = Varchar(length=20)
    represented_name = Varchar(length=200)
    source = Varchar(length=20)  # certificado | apoderamiento
    valid_until = Date(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=200, default="")
    created_at = Timestamptz()
