"""Reading RDF files: every supported syntax, gzip, folders, and errors that
say file, line and column."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from model_store import model_template_fixture
from rdflib import Dataset, Graph, Literal, URIRef

from krbgraph.rdfio import RdfInputError, read_rdf, read_rdf_paths

S, P = URIRef("https://e.org/s"), URIRef("https://e.org/p")
model_template = model_template_fixture()
"""A store with the model, copied for each in-process load: loading the model into a new
store takes seconds; test_damaged_gzip_data_is_an_input_error still loads into a new one."""

TRIPLE_TEXT = {
    "x.ttl": '<https://e.org/s> <https://e.org/p> "waarde"@nl .',
    "x.nt": '<https://e.org/s> <https://e.org/p> "waarde"@nl .\n',
    "x.jsonld": '{"@id": "https://e.org/s",'
    ' "https://e.org/p": {"@value": "waarde", "@language": "nl"}}',
    "x.rdf": """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://e.org/">
  <rdf:Description rdf:about="https://e.org/s"><e:p xml:lang="nl">waarde</e:p></rdf:Description>
</rdf:RDF>""",
}


@pytest.mark.parametrize("name", [*TRIPLE_TEXT, "x.owl", "x.xml", "x.json", "x.ttl.gz"])
def test_each_triple_syntax_reads_into_a_graph(tmp_path: Path, name: str) -> None:
    source = {"x.owl": "x.rdf", "x.xml": "x.rdf", "x.json": "x.jsonld", "x.ttl.gz": "x.ttl"}
    text = TRIPLE_TEXT[source.get(name, name)]
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    graph = read_rdf(path)
    assert not isinstance(graph, Dataset)
    assert set(graph) == {(S, P, Literal("waarde", lang="nl"))}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x.trig", "<https://e.org/g> { <https://e.org/s> <https://e.org/p> 1 }"),
        (
            "x.nq",
            "<https://e.org/s> <https://e.org/p>"
            ' "1"^^<http://www.w3.org/2001/XMLSchema#integer> <https://e.org/g> .\n',
        ),
    ],
)
def test_quad_syntaxes_read_into_a_dataset_with_their_named_graph(
    tmp_path: Path, name: str, text: str
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    dataset = read_rdf(tmp_path / name)
    assert isinstance(dataset, Dataset)
    assert (S, P, Literal(1), URIRef("https://e.org/g")) in set(dataset.quads())


def test_plain_and_xsd_string_literals_are_the_same(tmp_path: Path) -> None:
    (tmp_path / "x.ttl").write_text(
        '<https://e.org/s> <https://e.org/p> "a"^^<http://www.w3.org/2001/XMLSchema#string> .'
    )
    assert set(read_rdf(tmp_path / "x.ttl")) == {(S, P, Literal("a"))}


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "kapot.ttl"
    path.write_text('@prefix e: <https://e.org/> .\n\ne:s e:p "open string .\n')
    with pytest.raises(RdfInputError) as caught:
        read_rdf(path)
    error = caught.value
    assert (error.path, error.line, error.column) == (path, 3, 9)
    assert str(error).startswith(f"{path}:3:9: ")


def test_a_slash_in_a_prefixed_name_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "x.ttl"
    path.write_text("@prefix id: <https://e.org/id/> .\nid:beleidsnorm/N1 a id:T .\n")
    with pytest.raises(RdfInputError, match=r"x\.ttl:2:15: .*full IRI"):
        read_rdf(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.csv", b"a,b", "unknown RDF file type"),
        ("x.ttl.gz", b"not gzip", "cannot read the file"),
        ("x.jsonld", b'{"@id": 5}', "@id"),
    ],
)
def test_unreadable_files_raise_with_the_file_name(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RdfInputError, match=message) as caught:
        read_rdf(path)
    assert str(caught.value).startswith(str(path))


def test_folders_are_read_recursively_in_sorted_order_and_graphs_merged(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.ttl").write_text('<https://e.org/s> <https://e.org/p> "a" .')
    (tmp_path / "b" / "c.nq").write_text(
        '<https://e.org/s> <https://e.org/p> "c" <https://e.org/g> .\n'
    )
    (tmp_path / "b" / "notes.txt").write_text("not RDF, skipped")
    graph = read_rdf_paths([tmp_path])
    assert type(graph) is Graph
    assert set(graph.objects(S, P)) == {Literal("a"), Literal("c")}


def test_a_link_that_leads_nowhere_is_named_as_such_named_or_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").symlink_to(tmp_path / "b.ttl")
    (tmp_path / "b.ttl").symlink_to(tmp_path / "a.ttl")
    (tmp_path / "ok.ttl").write_text('<https://e.org/s> <https://e.org/p> "ok" .')
    # Named directly, and inside a folder where skipping it would leave data out.
    for named in (tmp_path / "a.ttl", tmp_path):
        with pytest.raises(RdfInputError, match="symbolic link that leads nowhere") as refused:
            read_rdf_paths([named])
        assert refused.value.path.name == "a.ttl"
    # An editor's lock beside a file it has open (Emacs: a link to user@host.pid that
    # leads nowhere, on purpose) is no data: the folder reads as if it were not there.
    editing = tmp_path / "bezig"
    editing.mkdir()
    (editing / "beleid.ttl").write_text('<https://e.org/s> <https://e.org/p> "ok" .')
    (editing / ".#beleid.ttl").symlink_to("gebruiker@host.1234:1700000000")
    assert len(read_rdf_paths([editing])) == 1


def test_a_missing_path_is_an_error_and_the_first_bad_file_stops_the_read(tmp_path: Path) -> None:
    with pytest.raises(RdfInputError, match="no such file or folder"):
        read_rdf_paths([tmp_path / "ontbreekt.ttl"])
    (tmp_path / "a.ttl").write_text("<https://e.org/s> <https://e.org/p> .")
    with pytest.raises(RdfInputError, match=r"a\.ttl:1:"):
        read_rdf_paths([tmp_path])


# --- Files as editors and exports write them ---------------------------------------

_ONE = (
    "<https://krb.demogemeente.nl/id/afdeling/milieu> <http://www.w3.org/2000/01/rdf-schema#label> "
    '"Afdeling Milieu"@nl .\n'
)
_JSON_LD_RELATIVE = """[
 {"@id": "https://krb.demogemeente.nl/id/afdeling/milieu",
  "http://www.w3.org/2000/01/rdf-schema#label": {"@value": "Milieu", "@language": "nl"}},
 {"@id": "afdeling/verkeer",
  "http://www.w3.org/2000/01/rdf-schema#label": {"@value": "Verkeer", "@language": "nl"}}
]"""


def _krb(*args: str) -> subprocess.CompletedProcess[str]:
    """`krb` as a process of its own: its exit code and stderr as a shell sees them."""
    return subprocess.run(
        [sys.executable, "-m", "krbgraph.cli", *args], capture_output=True, text=True, check=False
    )


def _krb_here(*args: str) -> subprocess.CompletedProcess[str]:
    """`krb` run in this process (a second each saved on starting Python and importing
    krbgraph): the same app, exit code, stdout and stderr. An exception escaping the
    command, which a process would show as a traceback and exit 1, fails the test."""
    from typer.testing import CliRunner

    from krbgraph.cli import app

    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(
        list(args), result.exit_code, stdout=result.stdout, stderr=result.stderr
    )


def _store_of_its_own(tmp_path: Path, model_template: Path) -> str:
    import shutil

    target = tmp_path / "store"
    shutil.copytree(model_template, target)
    return str(target)


@pytest.mark.parametrize("command", ["validate", "load"])
@pytest.mark.parametrize("name", ["bom.ttl", "bom.nt", "bom.nt.gz"])
def test_a_byte_order_mark_is_read_past(
    tmp_path: Path, model_template: Path, command: str, name: str
) -> None:
    # Windows editors start UTF-8 files with one; the engine's parsers refuse it.
    data = b"\xef\xbb\xbf" + _ONE.encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    store = ["--store", _store_of_its_own(tmp_path, model_template)] if command == "load" else []
    done = _krb_here(command, str(path), *store)
    assert done.returncode == 0, done.stderr
    if command == "load":
        assert "1 triples" in done.stdout


@pytest.mark.parametrize("command", ["validate", "load"])
@pytest.mark.parametrize(
    ("text", "said"),
    [
        (_JSON_LD_RELATIVE, "relative IRI 'afdeling/verkeer'"),
        ('{"label": "Milieu"}', "gives no triples"),
    ],
    ids=["relative @id", "no @context"],
)
def test_json_ld_that_would_lose_triples_is_refused(
    tmp_path: Path, model_template: Path, command: str, text: str, said: str
) -> None:
    # JSON-LD leaves out what it cannot expand to IRIs without a word; Turtle with the
    # same relative IRI is an error, and so is this now, with nothing loaded.
    path = tmp_path / "afdelingen.jsonld"
    path.write_text(text, encoding="utf-8")
    store = ["--store", _store_of_its_own(tmp_path, model_template)] if command == "load" else []
    done = _krb_here(command, str(path), *store)
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(path) in done.stderr
    assert said in done.stderr


@pytest.mark.parametrize("command", ["validate", "load"])
def test_damaged_gzip_data_is_an_input_error(tmp_path: Path, command: str) -> None:
    path = tmp_path / "kapot.ttl.gz"
    path.write_bytes(_damaged_deflate(gzip.compress(_ONE.encode() * 200, mtime=0)))
    store = ["--store", str(tmp_path / "store")] if command == "load" else []
    done = _krb(command, str(path), *store)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"{path}: cannot read the file" in done.stderr


def _damaged_deflate(packed: bytes) -> bytes:
    """``packed`` with one byte of its deflate data flipped so that zlib itself fails (not
    only the checksum at the end): the header intact, as after a broken download."""
    for offset in range(10, len(packed) - 8):
        damaged = bytearray(packed)
        damaged[offset] ^= 0xFF
        try:
            gzip.decompress(bytes(damaged))
        except zlib.error:
            return bytes(damaged)
        except (OSError, EOFError):
            continue
    raise AssertionError("no single flipped byte breaks the deflate data")


def test_an_rdf_xml_file_that_is_no_well_formed_xml_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    lines = ['<?xml version="1.0"?>']
    lines.append('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"')
    lines.append('         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">')
    for number in range(40):
        lines.append(f'  <rdf:Description rdf:about="https://e.org/s{number}">')
        lines.append(f'    <rdfs:label xml:lang="nl">ding {number}</rdfs:label>')
        lines.append("  </rdf:Description>")
    assert "</rdfs:label>" in lines[61]  # line 62 of the file
    lines[61] = lines[61].replace("</rdfs:label>", "</rdfs:labl>")
    lines.append("</rdf:RDF>")
    path = tmp_path / "beleid.rdf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RdfInputError) as refused:
        read_rdf(path)
    assert refused.value.line == 62
    assert str(refused.value).startswith(f"{path}:62:")


def test_an_rdf_xml_file_whose_entities_expand_to_gigabytes_is_refused_at_the_entity(
    tmp_path: Path,
) -> None:
    """The "billion laughs": 800 bytes of nested entities made the parser ask for 5 GB
    and abort the process; refused before parsing, at the line of the nested entity.
    Plain namespace entities, as ontology editors write them, still read."""
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 9)]
    doctype = "<!DOCTYPE rdf:RDF [\n" + "\n".join(levels) + "\n]>"
    body = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:e="https://e.org/"><rdf:Description rdf:about="https://e.org/s">'
        "<e:p>&lol8;</e:p></rdf:Description></rdf:RDF>"
    )
    path = tmp_path / "bom.rdf"
    path.write_text(f'<?xml version="1.0"?>\n{doctype}\n{body}\n', encoding="utf-8")
    with pytest.raises(RdfInputError) as refused:
        read_rdf(path)
    assert refused.value.line == 4  # lol1, the first entity made of others
    assert "nested entities" in str(refused.value)

    plain = tmp_path / "ontologie.rdf"
    plain.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY e "https://e.org/">\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:e="https://e.org/"><rdf:Description rdf:about="&e;s">'
        "<e:p>x</e:p></rdf:Description></rdf:RDF>\n",
        encoding="utf-8",
    )
    assert len(read_rdf(plain)) == 1
