"""Piccolo's configuration module, for the ``piccolo`` CLI (writing new migrations).

At run time ``core.db.Database.bind`` replaces ``DB`` and ``APP_REGISTRY`` with the ones of
the running deployment; this module only provides defaults from the settings.
"""

from piccolo.conf.apps import AppRegistry

from core.db import app_modules_for, make_engine
from core.plugins import DEFAULT_PLUGINS
from core.settings import load_settings

DB = make_engine(load_settings().effective_database_url)
APP_REGISTRY = AppRegistry(apps=app_modules_for(DEFAULT_PLUGINS))
