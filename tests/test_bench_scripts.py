"""Every benchmark script under bench/ still imports with the package as it is now.

The benchmarks are not part of the suite; three have smoke tests of their own
(test_bench_*.py). The others rot silently when a module moves (bench/writes.py
imported ReplicaSlot from where it no longer lived): importing each one, without
running it, catches that in a second.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda path: path.name)
def test_the_benchmark_script_imports(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up
    monkeypatch.setattr(sys, "path", list(sys.path))  # the scripts put the root in front
    spec.loader.exec_module(module)  # the script's main() runs only as __main__
    assert module.__doc__, f"{script.name} says what it measures"
