"""Process logging: what a terminal shows at INFO."""

import subprocess
import sys

SCRIPT = """
import logging
import weasyprint
import core.signing.flows  # imports pyHanko
from core.logs import configure_logging
from core.settings import Settings
configure_logging(Settings(log_level="INFO", log_format="text"))
weasyprint.HTML(string="<p>Hola</p>").write_pdf()
logging.getLogger("core.demo").info("banner kept")
"""


def test_weasyprint_progress_is_quiet_at_info_and_other_loggers_still_speak():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120, check=True)
    assert "banner kept" in done.stderr
    assert "weasyprint.progress" not in done.stderr
    assert "DSA is deprecated" not in done.stderr  # pyHanko's import warning is filtered
