"""The concept-scheme pages: every scheme, and one scheme as a tree of nested lists.

A large scheme (the IMBOR extract) shows its top level and opens one branch
at a time through ``?open=``, so the page stays small without JavaScript. The
schemes with their counts, and each scheme's concepts with the norms and
measures under them, are kept per store version (krbgraph.web.aggregates): the
IMBOR tree counts the policy of the whole registry. ``?met_beleid=true`` keeps
only the concepts with policy at or below them: an asset manager's view of
which object types the registry says anything about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from ...store import Store
from ..aggregates import Rows, cached, cached_rows
from ..describe import READER_LANGUAGES, Labeller, Link, local_href, run_query, short_name, text_of
from ..page_flags import Flag
from ..templating import error_page, render
from .common import SettingsDep, StoreDep

router = APIRouter()

LARGE_SCHEME = 300
"""Schemes with more concepts than this show their top level and open one branch at a time."""


@dataclass
class TreeNode:
    link: Link | None
    """None for the group of concepts that hang nowhere (see build_tree)."""
    children: list[TreeNode]
    size: int = 0
    open: bool = False
    expanded: bool = True
    expand_href: str = ""
    name: str = ""
    norms: int = 0
    """Norms classified by this concept or a concept below it."""
    measures: int = 0
    """Measures acting on this concept or below it, or aimed at a norm of it."""


OTHERS = "overige"
"""The `open=` value of the group of concepts without a broader concept in a scheme with tops."""


@router.get("/begrippen", response_class=HTMLResponse)
def schemes_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    schema: str | None = None,
    open: Annotated[str | None, Query(alias="open")] = None,
    met_beleid: Flag = False,
) -> HTMLResponse:
    """All concept schemes, or one scheme as a tree of nested lists."""
    schemes = {
        str(r["schema"]): (
            text_of(r.get("titel")) or short_name(str(r["schema"])),
            int(r.get("begrippen", 0)),
        )
        for r in cached_rows(store, "web-schemas")
    }
    if not schema:
        listing = [
            {"iri": iri, "title": title, "count": count}
            for iri, (title, count) in sorted(schemes.items(), key=lambda item: item[1][0].lower())
        ]
        return render(request, "begrippen.html", {"title": "Begrippenkaders", "schemes": listing})
    if schema not in schemes:
        message = "Dit begrippenkader staat niet in het register."
        return error_page(request, 404, "Onbekend begrippenkader", message, schema)
    rows, norms, measures = scheme_contents(store, schema)
    roots, count, large = build_tree(
        rows, schema, open, settings.base_iri, norms, measures, with_policy_only=met_beleid
    )
    context = {
        "title": schemes[schema][0],
        "roots": roots,
        "count": count,
        "large": large,
        "met_beleid": met_beleid,
        "filter_href": "/begrippen?"
        + urlencode({"schema": schema, **({} if met_beleid else {"met_beleid": "true"})}),
        "scheme_href": local_href(schema, settings.base_iri),
    }
    return render(request, "schema.html", context)


Policy = Mapping[str, frozenset[str]]
"""Concept IRI -> the norms (or measures) that hang at it."""


def scheme_contents(store: Store, schema: str) -> tuple[Rows, Policy, Policy]:
    """The concept rows of a scheme and, per concept, the norms it classifies and the
    measures that belong to it."""

    def per_concept(query: str, column: str) -> Policy:
        found: dict[str, set[str]] = {}
        for r in run_query(store, query, schema=URIRef(schema)).dicts():
            found.setdefault(str(r["begrip"]), set()).add(str(r[column]))
        return {iri: frozenset(things) for iri, things in found.items()}

    def compute() -> tuple[Rows, Policy, Policy]:
        rows = tuple(run_query(store, "web-schema-begrippen", schema=URIRef(schema)).dicts())
        norms = per_concept("web-begrip-normen", "norm")
        return rows, norms, per_concept("web-begrip-maatregelen", "maatregel")

    return cached(store, ("scheme", schema, READER_LANGUAGES.get()), compute)


def _unreached(
    starts: Sequence[str], parents: Mapping[str, list[str]], labels: Mapping[str, str]
) -> list[str]:
    """Concepts to start from besides ``starts`` so that every concept is reached: for
    each group that only hangs under its own members (D under E under D), one member of
    the cycle, first by name. Without them the group had a parent each, so none was a
    root or loose, and the page said "3 begrippen" and showed one. A member of the cycle
    itself, not a concept below it: that one would be shown twice, as a start and under
    the cycle."""
    children: dict[str, list[str]] = {}
    for iri, uppers in parents.items():
        for upper in uppers:
            if upper in parents and upper != iri:
                children.setdefault(upper, []).append(iri)
    reached: set[str] = set()

    def reach(start: str) -> None:
        pending = [start]
        while pending:
            iri = pending.pop()
            if iri not in reached:
                reached.add(iri)
                pending.extend(children.get(iri, []))

    for start in starts:
        reach(start)

    def above(iri: str) -> set[str]:
        """Every concept ``iri`` hangs under, by any path (itself too, in a cycle)."""
        found: set[str] = set()
        pending = [p for p in parents[iri] if p in parents]
        while pending:
            upper = pending.pop()
            if upper not in found:
                found.add(upper)
                pending.extend(p for p in parents[upper] if p in parents)
        return found

    added = []
    for iri in sorted(labels, key=lambda i: (labels[i].lower(), i)):
        if iri in reached:
            continue
        # Up to a cycle nothing outside hangs above (each concept on the way has a
        # parent, none is reached): one of its members reaches them all.
        at, over = iri, above(iri)
        while higher := next((u for u in sorted(over) if at not in above(u)), None):
            at, over = higher, above(higher)
        cycle = [u for u in over if at in above(u)] + [at]
        start = min(cycle, key=lambda i: (labels[i].lower(), i))
        added.append(start)
        reach(start)
    return added


def build_tree(
    rows: Sequence[Mapping[str, Identifier]],
    schema: str,
    open_iri: str | None,
    base_iri: str,
    norms: Mapping[str, Set[str]] | None = None,
    measures: Mapping[str, Set[str]] | None = None,
    *,
    with_policy_only: bool = False,
) -> tuple[list[TreeNode], int, bool]:
    """Nested nodes from (begrip, label, boven, top) rows.

    A scheme that names its top concepts starts from them; concepts that hang
    nowhere else are grouped under "Overige begrippen", and so is one concept of each
    group that only hangs under itself (a broader or narrower cycle, which SKOS
    allows): every concept of the scheme is in the tree. A large scheme (IMBOR)
    shows its top level only and opens one branch, named by `open_iri`. ``norms``
    (concept -> the norms it classifies) and ``measures`` are gathered up the tree,
    each once per node, so an asset manager sees where policy hangs before opening a
    branch; ``with_policy_only`` leaves out every concept with neither at or below it.
    """
    labels: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    tops: set[str] = set()
    for r in rows:
        iri = str(r["begrip"])
        labels[iri] = text_of(r.get("label")) or labels.get(iri) or short_name(iri)
        parents.setdefault(iri, [])
        if "boven" in r and str(r["boven"]) != iri:
            parents[iri].append(str(r["boven"]))
        top = r.get("top")
        if isinstance(top, Literal) and top.toPython() is True:
            tops.add(iri)
    children: dict[str, list[str]] = {}
    for iri, uppers in parents.items():
        for upper in dict.fromkeys(uppers):
            if upper in parents and upper != iri:
                children.setdefault(upper, []).append(iri)
    loose = [i for i in parents if i not in tops and not any(p in parents for p in parents[i])]
    loose += _unreached(sorted(tops) + loose, parents, labels)
    roots = sorted(tops or loose, key=lambda iri: labels[iri].lower())
    others = sorted(loose, key=lambda iri: labels[iri].lower()) if tops else []
    large = len(parents) > LARGE_SCHEME
    labeller = Labeller(base_iri, labels)

    def below(iri: str, seen: frozenset[str], counts: Mapping[str, Set[str]] | None) -> int:
        """The number of distinct things in ``counts`` of ``iri`` and of everything under it."""
        if not counts:
            return 0
        found = {iri}
        pending = [iri]
        while pending:
            for kid in children.get(pending.pop(), []):
                if kid not in found and kid not in seen:
                    found.add(kid)
                    pending.append(kid)
        return len(set().union(*(counts.get(k, set()) for k in found)))

    def shown(iri: str, seen: frozenset[str]) -> bool:
        return not with_policy_only or bool(below(iri, seen, norms) or below(iri, seen, measures))

    def node(iri: str, depth: int, seen: frozenset[str]) -> TreeNode:
        kids = sorted(
            (k for k in children.get(iri, []) if shown(k, seen | {iri})),
            key=lambda k: labels[k].lower(),
        )
        n, m = below(iri, seen, norms), below(iri, seen, measures)
        if large and depth == 0 and iri != open_iri:
            return TreeNode(
                labeller.link(iri),
                [],
                len(kids),
                False,
                False,
                expand_href(iri),
                norms=n,
                measures=m,
            )
        inner = [node(k, depth + 1, seen | {iri}) for k in kids if k not in seen]
        return TreeNode(
            labeller.link(iri),
            inner,
            len(kids),
            open=not large or iri == open_iri,
            norms=n,
            measures=m,
        )

    def expand_href(key: str) -> str:
        query = {
            "schema": schema,
            "open": key,
            **({"met_beleid": "true"} if with_policy_only else {}),
        }
        return "/begrippen?" + urlencode(query)

    tree = [node(iri, 0, frozenset()) for iri in roots if shown(iri, frozenset())]
    others = [iri for iri in others if shown(iri, frozenset())]
    if others:
        name = "Overige begrippen (niet onder een topbegrip)"
        if large and open_iri != OTHERS:
            group = TreeNode(None, [], len(others), False, False, expand_href(OTHERS), name)
        else:
            inner = [node(iri, 1, frozenset()) for iri in others]
            group = TreeNode(None, inner, len(others), open=open_iri == OTHERS, name=name)
        tree.append(group)
    return tree, len(parents), large
