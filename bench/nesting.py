"""What data nested too deep costs `krb validate` and `krb load` (hostile or broken input).

The closure ``krb:ligtBinnen`` holds every area an area lies in, so it grows with the
square of how deep areas nest; the geometric comparison with the square of how many
areas share a place. Both are bounded (krbgraph.containment.MAX_ENCLOSING): such data
is refused by name, after work that stays about linear in its size. This script
writes two kinds of file beside the demo registry and times the commands as a user
runs them (a process each, so the peak memory is theirs):

- a chain: areas each in the next by ``krb:ligtIn`` (five triples per area);
- copies: areas with the same square as geometry (each lies within all others).

It prints per file its size, the seconds and peak memory (maximum resident set) of
`krb validate` and of `krb load` into a new store, and the command's exit code
(1: refused, as it should be). Target: both refused, in seconds and well under
1 GB, at any size. Run from the project root (Linux):

    .venv/bin/python bench/nesting.py                 # chain of 2,000, 2,000 copies
    .venv/bin/python bench/nesting.py --areas 5000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo"
KRB = Path(sys.executable).parent / "krb"

PREFIXES = """@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix w: <https://krb.demogemeente.nl/id/werkingsgebied/> .
@prefix soort: <https://data.krb.nl/id/begrip/gebiedssoort/> .
"""
SQUARE = (
    "<http://www.opengis.net/def/crs/EPSG/0/28992> "
    "POLYGON((10000 10000, 20000 10000, 20000 20000, 10000 20000, 10000 10000))"
)


def area(name: str, extra: str) -> str:
    return (
        f'w:{name} a krb:Werkingsgebied ; rdfs:label "Gebied {name}"@nl ; '
        f'dct:identifier "{name}" ; krb:gebiedssoort soort:plangebied ; {extra} .\n'
    )


def chain(count: int) -> str:
    return "".join(
        area(f"k{i}", f"krb:ligtIn w:{'GM9999' if i == 0 else f'k{i - 1}'}") for i in range(count)
    )


def copies(count: int) -> str:
    geometry = f'geo:hasGeometry [ geo:asWKT "{SQUARE}"^^geo:wktLiteral ]'
    return "".join(area(f"c{i}", geometry) for i in range(count))


def timed(arguments: list[str]) -> tuple[float, int, int]:
    """Seconds, peak resident memory (MB) and exit code of one command (os.wait4 gives
    the child's own resource use)."""
    start = time.perf_counter()
    child = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss // 1024, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=2000, help="areas per file")
    options = parser.parse_args()
    print(f"{'file':<10} {'areas':>6} {'triples':>8}  {'command':<13} {'s':>6} {'peak MB':>8} exit")
    with tempfile.TemporaryDirectory() as folder:
        for name, body in (("keten", chain(options.areas)), ("kopieen", copies(options.areas))):
            path = Path(folder) / f"{name}.ttl"
            path.write_text(PREFIXES + body, encoding="utf-8")
            triples = body.count(" ; ") + body.count(" .\n") + (name == "kopieen") * options.areas
            commands = {
                "krb validate": [str(KRB), "validate", str(DEMO), str(path)],
                "krb load": [
                    str(KRB),
                    "load",
                    str(DEMO),
                    str(path),
                    "--store",
                    str(Path(folder) / f"store-{name}"),
                ],
            }
            for label, arguments in commands.items():
                seconds, peak, code = timed(arguments)
                print(
                    f"{name:<10} {options.areas:>6} {triples:>8}  {label:<13} "
                    f"{seconds:>6.1f} {peak:>8} {code}"
                )


if __name__ == "__main__":
    main()
