"""The linter configured in pyproject.toml runs over the code and finds nothing, and the
formatter would change nothing.

Part of the suite so CI enforces it; the second test proves the configuration
is really read (a line over the configured 100 characters is reported), so a
silently ignored ruff table cannot make the first test pass.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")

pytestmark = pytest.mark.skipif(RUFF is None, reason="ruff is not installed (dev extra)")


def run_ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUFF, "check", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_the_code_passes_ruff() -> None:
    result = run_ruff("krbgraph", "tests", "bench", "mappings", "server.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted() -> None:
    """`ruff format` leaves every file as it is: one layout, so diffs show changes only."""
    result = subprocess.run(
        [RUFF, "format", "--check", "krbgraph", "tests", "bench", "mappings", "server.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_reads_the_project_configuration(tmp_path: Path) -> None:
    sample = tmp_path / "long.py"
    sample.write_text("x = " + "1 + " * 30 + "1\n", encoding="utf-8")  # 126 characters
    result = run_ruff("--config", str(ROOT / "pyproject.toml"), str(sample))
    assert "E501" in result.stdout, result.stdout
