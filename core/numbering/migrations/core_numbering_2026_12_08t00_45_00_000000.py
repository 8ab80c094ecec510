from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table



class Tenant(Table, tablename="core_tenant", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-08T00:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "counter table of the numbering service"


def _params(**overrides):
    params = {
        "default": 0,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="core_numbering", description=DESCRIPTION
    )

    manager.add_table(
        class_name="Counter", tablename="core_counter", schema=None, columns=None
    )
    columns = (
        ("tenant", ForeignKey, _params(references=Tenant, on_delete=OnDelete.cascade,
                                       on_update=OnUpdate.cascade, target_column=None,
                                       default=None, null=True)),
        ("series", Varchar, _params(length=40, default="")),
        ("year", Integer, _params()),
        ("last", Integer, _params()),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="Counter",
            tablename="core_counter",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
