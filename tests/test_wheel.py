"""The package runs from a built wheel, outside the source checkout.

Users install krbgraph with pip (or build a container from the wheel); the model,
the named queries and the demo must come with it. The wheel is built from this
checkout, installed into a fresh virtualenv in a temporary folder, and its ``krb``
validates, queries and serves there. Its dependencies come from the test
environment's site-packages on PYTHONPATH (which skips the editable install's
path hook), so the test needs no network and still imports krbgraph from the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest
from live_server import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        check=True,
        cwd=work,
    )
    wheel = next(work.glob("krbgraph-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", target, str(wheel)],
        check=True,
    )
    env = {
        **os.environ,
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "KRB_HOME": "",
    }
    env.pop("KRB_HOME")
    return venv, env


def krb(venv: Path, env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "krbgraph.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_package_comes_from_the_wheel_with_its_data(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    probe = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import krbgraph.model as m; r = m.project_root(); "
            "print(r); print(len(list((r / 'sparql').glob('*.rq')))); "
            "print(len(list((r / 'ontology').rglob('*.ttl'))))",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    root, queries, ttl = probe.stdout.split()
    assert Path(root).is_relative_to(venv), root
    assert int(queries) == len(list((ROOT / "sparql").glob("*.rq")))
    assert int(ttl) == len(list((ROOT / "ontology").rglob("*.ttl")))


def test_validate_load_and_query_from_the_wheel(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    demo = ROOT / "examples" / "demo"
    checked = krb(venv, env, tmp_path, "validate", str(demo))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    store = tmp_path / "store"
    loaded = krb(venv, env, tmp_path, "load", "--store", str(store), str(demo))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    answer = krb(
        venv, env, tmp_path, "query", "geldig-op", "--store", str(store), "--format", "csv"
    )
    assert answer.returncode == 0, answer.stderr
    assert "GEL-N01" in answer.stdout


def test_serve_the_demo_from_the_wheel(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    port = free_port()
    server = subprocess.Popen(
        [
            str(venv / "bin" / "python"),
            "-m",
            "krbgraph.cli",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--store",
            str(tmp_path / "store"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/queries", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "krb serve did not start"
                time.sleep(0.5)
        assert answer.status_code == 200
        assert {q["name"] for q in answer.json()} >= {"geldig-op", "beleid-in-gebied"}
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200 and "Geluid" in page.text  # a demo theme
    finally:
        server.terminate()
        server.wait(timeout=30)
