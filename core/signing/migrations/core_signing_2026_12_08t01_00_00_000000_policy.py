"""core_signing_policy: an entity's signing rules (step-up second factor at signing)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Tenant(Table, tablename="core_tenant", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id",
                secret=False)


ID = "2026-12-08T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "signing policy"

TABLE = {"table_class_name": "SigningPolicy", "tablename": "core_signing_policy",
         "schema": None}


def _params(**extra):
    return {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
            "secret": False, **extra}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core_signing", description=DESCRIPTION)
    manager.add_table(class_name="SigningPolicy", tablename="core_signing_policy", schema=None,
                      columns=None)
    manager.add_column(**TABLE, column_name="tenant", db_column_name="tenant",
                       column_class_name="ForeignKey", column_class=ForeignKey,
                       params=_params(references=Tenant, on_delete=OnDelete.cascade,
                                      on_update=OnUpdate.cascade, target_column=None,
                                      null=True, unique=True))
    manager.add_column(**TABLE, column_name="step_up", db_column_name="step_up",
                       column_class_name="Boolean", column_class=Boolean,
                       params=_params(default=True))
    manager.add_column(**TABLE, column_name="changed_by", db_column_name="changed_by",
                       column_class_name="Varchar", column_class=Varchar,
                       params=_params(default="", length=254))
    manager.add_column(**TABLE, column_name="changed_at", db_column_name="changed_at",
                       column_class_name="Timestamptz", column_class=Timestamptz,
                       params=_params(default=TimestamptzNow()))
    return manager
