"""Every ``sh`` block of docs/plugin-guide.md runs, in order, as a plugin author would.

The commands run in a temporary folder with a virtual environment of their own, which sees
the test environment's packages (Concejo included) through a ``.pth`` file: ``pip install
-e`` installs the scaffolded plugin there, and the test environment stays as it was.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugin-guide.md"
BLOCK = re.compile(r"^( *)```sh\n(.*?)^\1```", re.S | re.M)


def guide_commands() -> list[str]:
    return [textwrap.dedent(body) for _, body in BLOCK.findall(GUIDE.read_text("utf-8"))]


def _author_venv(folder: Path) -> Path:
    """A venv whose python also sees this one's packages; ``concejo`` as pip would install it."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                              "'purelib'))"], capture_output=True, text=True,
                             check=True).stdout.strip()
    ours = sysconfig.get_path("purelib")
    (Path(purelib) / "concejo_test_env.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n")
    script = folder / "bin" / "concejo"
    script.write_text(f"#!{python}\nimport sys\nfrom core.cli import main\nsys.exit(main())\n")
    script.chmod(0o755)
    return folder / "bin"


def test_the_guide_has_the_scaffold_commands():
    commands = "\n".join(guide_commands())
    for step in ("concejo plugins new", "pip install", "concejo db makemigrations",
                 "concejo tenants enable", "python -m pytest"):
        assert step in commands


def test_every_shell_command_of_the_plugin_guide_runs(tmp_path):
    bin_dir = _author_venv(tmp_path / "venv")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "CONCEJO_DATA_DIR": str(tmp_path / "data"), "CONCEJO_DATABASE_URL": "",
           "PYTHONDONTWRITEBYTECODE": "1"}
    if env.get("CONCEJO_TEST_DATABASE_URL"):  # the plugin's tests: a database of their own
        env["CONCEJO_TEST_DATABASE_URL"] += "_plugin"
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    work = tmp_path / "work"
    work.mkdir()
    for block in guide_commands():
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=work, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"
    assert list((work / "concejo-caminos" / "concejo_caminos" / "migrations").glob("caminos_*"))
    assert " passed" in done.stdout and "failed" not in done.stdout
