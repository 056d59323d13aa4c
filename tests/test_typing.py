"""The type checker configured in pyproject.toml runs over the package and finds nothing.

Part of the suite so CI enforces it, like tests/test_lint.py does for ruff. The
second test proves the configuration is really read and means what it says: the
strict checks apply to the store and the query catalogue and to nothing else. A
mypy table that is never read, or ``strict = true`` in an override (which mypy
applies to every module, not to the ones the override names), makes it fail.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None, reason="mypy is not installed (dev extra)"
)

UNTYPED = "def double(x):\n    return x * 2\n"
"""Code that passes the default checks and fails the strict ones (no-untyped-def)."""


def run_mypy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), "--no-color-output", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_package_passes_mypy() -> None:
    result = run_mypy("krbgraph", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_reads_the_project_configuration(tmp_path: Path) -> None:
    package = tmp_path / "krbgraph"
    (package / "store").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "store" / "__init__.py").write_text("", encoding="utf-8")
    (package / "store" / "sample.py").write_text(UNTYPED, encoding="utf-8")
    (package / "queries.py").write_text(UNTYPED, encoding="utf-8")
    (package / "elsewhere.py").write_text(UNTYPED, encoding="utf-8")

    result = run_mypy("--cache-dir", str(tmp_path / "cache"), "krbgraph", cwd=tmp_path)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]

    strict = {str(Path("krbgraph/store/sample.py")), str(Path("krbgraph/queries.py"))}
    flagged = {line.split(":", 1)[0] for line in errors if "[no-untyped-def]" in line}
    assert flagged == strict, result.stdout + result.stderr
