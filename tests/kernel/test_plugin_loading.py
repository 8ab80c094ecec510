"""Plugin loading: manifests, entry points, disabling, check_pending, addhooks."""

import sys
import textwrap

import pytest

from core.plugins import PluginError, load_plugins
from core.settings import load_settings


def test_misspelled_hook_fails_boot_naming_it():
    with pytest.raises(PluginError, match="on_evnt"):
        load_plugins(extra=["tests.fakes.typo"], include_defaults=False,
                     include_entry_points=False)


def test_missing_dependency_fails_boot():
    with pytest.raises(PluginError, match="depends on \\['alpha'\\]"):
        load_plugins(extra=["tests.fakes.beta"], include_defaults=False,
                     include_entry_points=False)


def test_module_without_manifest_is_refused():
    with pytest.raises(PluginError, match="no PluginManifest"):
        load_plugins(extra=["tests.fakes.beta_hookspecs"], include_defaults=False,
                     include_entry_points=False)


def test_addhooks_lets_a_plugin_publish_hooks_for_others():
    plugins = load_plugins(extra=["tests.fakes.alpha", "tests.fakes.beta"],
                           include_defaults=False, include_entry_points=False)
    collected = plugins.collect("beta_colors")
    assert collected == [("alpha", "azul")]


def test_disable_plugins_keeps_them_out(monkeypatch):
    monkeypatch.setenv("CONCEJO_DISABLE_PLUGINS", "tablon, alpha")
    settings = load_settings(environ=dict(__import__("os").environ))
    assert settings.disable_plugins == ["tablon", "alpha"]
    plugins = load_plugins(settings.disable_plugins, extra=["tests.fakes.alpha"])
    assert "tablon" not in plugins.manifests and "alpha" not in plugins.manifests


def test_installed_plugins_come_from_entry_points(tmp_path, monkeypatch):
    """A real distribution on sys.path declaring the ``concejo.plugins`` entry point."""
    package = tmp_path / "provincia_demo"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        from core.plugins import PluginManifest
        MANIFEST = PluginManifest(name="provincia_demo", label="Provincia", version="2.0")
    '''))
    dist = tmp_path / "provincia_demo-2.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: provincia-demo\nVersion: 2.0\n")
    (dist / "entry_points.txt").write_text("[concejo.plugins]\nprovincia_demo = provincia_demo\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        plugins = load_plugins()
        assert plugins.manifest("provincia_demo").version == "2.0"
        assert "tablon" in plugins.manifests
    finally:
        sys.modules.pop("provincia_demo", None)


def test_settings_struct_must_forbid_unknown_fields(tmp_path, monkeypatch):
    module = tmp_path / "lax_plugin.py"
    module.write_text(textwrap.dedent('''
        import msgspec
        from core.plugins import PluginManifest
        class Settings(msgspec.Struct):
            x: int = 1
        MANIFEST = PluginManifest(name="lax", label="Lax", version="1", settings=Settings)
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="forbid unknown fields"):
        load_plugins(extra=["lax_plugin"], include_defaults=False, include_entry_points=False)


@pytest.mark.parametrize(("grant", "error"), [
    ('register("other.*", role="tramitador")', "must start with granting."),
    ('register("granting.*", role="alcalde")', "unknown role 'alcalde'"),
])
def test_a_plugin_grants_only_its_own_permissions_to_built_in_roles(tmp_path, monkeypatch,
                                                                   grant, error):
    from core.kernel import role_patterns

    module = tmp_path / "granting_plugin.py"
    module.write_text(textwrap.dedent(f'''
        from core.plugins import PluginManifest, hookimpl
        MANIFEST = PluginManifest(name="granting", label="Granting", version="1")
        @hookimpl
        def register_role_grants(register):
            register("granting.view", role="read_only")
            {grant}
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        plugins = load_plugins(extra=["granting_plugin"], include_defaults=False,
                               include_entry_points=False)
        with pytest.raises(ValueError, match=error):
            role_patterns(plugins)
    finally:
        sys.modules.pop("granting_plugin", None)
