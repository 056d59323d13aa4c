"""The /begrippen tree holds every concept of a scheme, however the scheme nests them.

SKOS allows cycles of skos:broader / skos:narrower (D under E under D). Such a group has
a parent for each member, so none was taken as a root or as "loose": the page said
"3 begrippen" and showed one. Checked by a property over random schemes: the tree,
opened fully, reaches every concept, and each concept it shows under another is one the
rows put under it.
"""

from __future__ import annotations

import random

import pytest
from rdflib import Literal, URIRef

from krbgraph.web.pages.begrippen import LARGE_SCHEME, TreeNode, build_tree

BASE = "https://gemeente.example/id/begrip/"


def _rows(rng: random.Random, size: int) -> list[dict]:
    rows: list[dict] = []
    concepts = [f"{BASE}c{n}" for n in range(size)]
    tops = set(rng.sample(concepts, min(size, rng.randint(0, 2))))
    for iri in concepts:
        top = {"top": Literal(True)} if iri in tops else {}
        uppers = rng.sample(concepts, min(size, rng.choice([0, 1, 1, 2])))
        rows.append({"begrip": URIRef(iri), "label": Literal(f"Begrip {iri[-2:]}"), **top})
        rows += [{"begrip": URIRef(iri), "boven": URIRef(u), **top} for u in uppers]
    return rows


def _walk(nodes: list[TreeNode], parent: str | None, seen: set[str], edges: set) -> None:
    for node in nodes:
        iri = node.link.iri if node.link is not None else None
        if iri is not None:
            seen.add(iri)
            if parent is not None:
                edges.add((iri, parent))
        _walk(node.children, iri, seen, edges)


@pytest.mark.parametrize("seed", range(60))
def test_every_concept_is_in_the_tree_under_a_parent_the_rows_give(seed: int) -> None:
    rng = random.Random(seed)
    rows = _rows(rng, rng.randint(1, 12))
    tree, count, large = build_tree(rows, f"{BASE}schema", None, "https://gemeente.example")
    assert not large
    seen: set[str] = set()
    edges: set[tuple[str, str]] = set()
    _walk(tree, None, seen, edges)
    concepts = {str(r["begrip"]) for r in rows}
    assert seen == concepts
    assert count == len(concepts)
    given = {(str(r["begrip"]), str(r["boven"])) for r in rows if "boven" in r}
    assert edges <= given
    # Nothing starts the tree (at its top or among the others) that hangs under
    # another start: it would be shown twice, once out of its place.
    starts = [n for n in tree if n.link] + [k for n in tree if n.link is None for k in n.children]
    tops = {str(r["begrip"]) for r in rows if "top" in r}
    for start in starts:
        assert start.link is not None
        if start.link.iri in tops:
            continue
        for other in starts:
            if other is not start:
                below: set[str] = set()
                _walk(other.children, None, below, set())
                assert start.link.iri not in below, (start.link.iri, other.link)


def test_a_narrower_cycle_beside_a_top_concept_is_shown_among_the_others() -> None:
    a, d, e = (URIRef(f"{BASE}{x}") for x in "ade")
    rows = [
        {"begrip": a, "label": Literal("A"), "top": Literal(True)},
        {"begrip": d, "label": Literal("D"), "boven": e},
        {"begrip": e, "label": Literal("E"), "boven": d},
    ]
    tree, count, _ = build_tree(rows, f"{BASE}schema", None, "https://gemeente.example")
    assert count == 3
    assert [n.link.iri for n in tree if n.link] == [str(a)]
    (others,) = [n for n in tree if n.link is None]
    assert others.name.startswith("Overige begrippen")
    (first,) = others.children
    assert first.link is not None and first.link.iri == str(d)  # first by name
    assert [k.link.iri for k in first.children if k.link] == [str(e)]


def test_a_large_scheme_keeps_its_cycles_reachable_by_the_others_group() -> None:
    rows = [
        {"begrip": URIRef(f"{BASE}t{n}"), "label": Literal(f"T{n}"), "top": Literal(True)}
        for n in range(LARGE_SCHEME)
    ]
    d, e = URIRef(f"{BASE}d"), URIRef(f"{BASE}e")
    rows += [{"begrip": d, "boven": e}, {"begrip": e, "boven": d}]
    tree, _, large = build_tree(rows, f"{BASE}schema", "overige", "https://gemeente.example")
    assert large
    (others,) = [n for n in tree if n.link is None]
    assert others.size == 1 and others.children[0].link is not None
