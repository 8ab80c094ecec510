"""Piccolo's configuration module, for the ``piccolo`` CLI (writing new migrations).

At run time ``core.db.Database.bind`` replaces ``DB`` and ``APP_REGISTRY`` with the ones of
the running deployment; this module only provides defaults from the settings, with the
Piccolo app of every installed plugin (built-in or from another package), so
``concejo db makemigrations NAME`` works for any of them.
"""

from piccolo.conf.apps import AppRegistry

from core.db import app_modules_for, make_engine
from core.plugins import installed_plugin_modules
from core.settings import load_settings

DB = make_engine(load_settings().effective_database_url)
APP_REGISTRY = AppRegistry(apps=app_modules_for(installed_plugin_modules()))
