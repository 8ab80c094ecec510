"""``concejo plugins new``: a scaffolded plugin boots, migrates, is enabled for an entity and
passes the tests it was generated with — run as a plugin author would, in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.demo import synthetic_nif
from core.scaffold import ScaffoldError, declare, new_plugin, render

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path, env: dict[str, str], timeout: int = 600
         ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done


def test_a_package_plugin_is_installed_migrated_enabled_and_passes_its_tests(tmp_path):
    package, site = tmp_path / "concejo-caminos", tmp_path / "site"
    env = {**os.environ, "CONCEJO_DATA_DIR": str(tmp_path / "data"),
           "CONCEJO_DATABASE_URL": "", "PYTHONDONTWRITEBYTECODE": "1"}
    if env.get("CONCEJO_TEST_DATABASE_URL"):  # the plugin's tests: a database of their own
        env["CONCEJO_TEST_DATABASE_URL"] += "_plugin"
    concejo = (sys.executable, "-m", "core.cli")
    made = _run(*concejo, "plugins", "new", "caminos", "--label", "Caminos rurales",
                "--package", str(package), cwd=tmp_path, env=env)
    assert "pip install -e" in made.stdout
    # Installed the guide's way, but into a folder of its own so the test venv stays clean:
    # the build reads its pyproject.toml and writes the concejo.plugins entry point.
    _run(sys.executable, "-m", "pip", "install", "-q", "--no-deps",
         "--target", str(site), str(package), cwd=tmp_path, env=env)
    entry_points = next(site.glob("concejo_caminos-*.dist-info")) / "entry_points.txt"
    assert 'caminos = concejo_caminos.plugin' in entry_points.read_text()
    # the source first on the path: makemigrations writes into it, as with pip install -e
    env["PYTHONPATH"] = os.pathsep.join([str(package), str(site), str(ROOT)])
    _run(*concejo, "db", "makemigrations", "caminos", cwd=tmp_path, env=env)
    migrations = list((package / "concejo_caminos" / "migrations").glob("caminos_*.py"))
    assert len(migrations) == 1
    _run(*concejo, "tenants", "add", "--slug", "caminos-demo", "--kind", "ayuntamiento",
         "--name", "Ayuntamiento de prueba", "--dir3", "L01999999",
         "--nif", synthetic_nif("P4299900"), cwd=tmp_path, env=env)
    _run(*concejo, "tenants", "enable", "caminos-demo", "caminos", cwd=tmp_path, env=env)
    listed = _run(*concejo, "plugins", "list", cwd=tmp_path, env=env).stdout
    assert "caminos" in listed and "enabled" in listed
    tested = _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  "concejo_caminos/tests", cwd=package, env=env)
    assert " passed" in tested.stdout and "failed" not in tested.stdout
    # the repository's lint rules, core first-party as it is for plugins/ and plugins_contrib/
    _run(sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
         str(ROOT / "pyproject.toml"), "--config", "lint.isort.known-first-party=['core']",
         str(package), cwd=tmp_path, env=env)


def test_a_contrib_plugin_is_declared_in_the_root_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    written = new_plugin("caminos", root=tmp_path, contrib=True, faces=("staff", "api"))
    plugin = tmp_path / "plugins_contrib" / "caminos"
    assert plugin / "plugin.py" in written and (plugin / "controllers" / "staff.py").exists()
    assert not (plugin / "controllers" / "sede.py").exists()
    declared = (tmp_path / "pyproject.toml").read_text()
    assert 'caminos = "plugins_contrib.caminos.plugin"' in declared
    section = declared.split('[project.entry-points."concejo.plugins"]')[1].split("\n\n")[0]
    assert 'tablon = "plugins.tablon.plugin"' in section and "caminos" in section
    assert declare(tmp_path / "pyproject.toml", "caminos", "plugins_contrib.caminos") is False
    with pytest.raises(ScaffoldError, match="ya existe"):
        new_plugin("caminos", root=tmp_path, contrib=True)


@pytest.mark.parametrize(("name", "faces"), [("Caminos", ("api",)), ("import", ("api",)),
                                             ("caminos", ("console",)), ("caminos", ())])
def test_bad_names_and_faces_are_refused(name, faces):
    with pytest.raises(ScaffoldError):
        render(name, "plugins.x", "X", faces)
