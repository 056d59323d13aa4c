"""The concept-scheme pages: every scheme, and one scheme as a tree of nested lists.

A large scheme (the IMBOR extract) shows its top level and opens one branch
at a time through ``?open=``, so the page stays small without JavaScript. The
schemes with their counts, and each scheme's concepts with the norms under
them, are kept per store version (krbgraph.web.aggregates): the IMBOR tree
counts the norms of the whole registry.
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


OTHERS = "overige"
"""The `open=` value of the group of concepts without a broader concept in a scheme with tops."""


@router.get("/begrippen", response_class=HTMLResponse)
def schemes_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    schema: str | None = None,
    open: Annotated[str | None, Query(alias="open")] = None,
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
    rows, norms = scheme_contents(store, schema)
    roots, count, large = build_tree(rows, schema, open, settings.base_iri, norms)
    context = {
        "title": schemes[schema][0],
        "roots": roots,
        "count": count,
        "large": large,
        "scheme_href": local_href(schema, settings.base_iri),
    }
    return render(request, "schema.html", context)


def scheme_contents(store: Store, schema: str) -> tuple[Rows, Mapping[str, frozenset[str]]]:
    """The concept rows of a scheme and, per concept, the norms it classifies."""

    def compute() -> tuple[Rows, Mapping[str, frozenset[str]]]:
        rows = tuple(run_query(store, "web-schema-begrippen", schema=URIRef(schema)).dicts())
        norms: dict[str, set[str]] = {}
        for r in run_query(store, "web-begrip-normen", schema=URIRef(schema)).dicts():
            norms.setdefault(str(r["begrip"]), set()).add(str(r["norm"]))
        return rows, {iri: frozenset(found) for iri, found in norms.items()}

    return cached(store, ("scheme", schema, READER_LANGUAGES.get()), compute)


def build_tree(
    rows: Sequence[Mapping[str, Identifier]],
    schema: str,
    open_iri: str | None,
    base_iri: str,
    norms: Mapping[str, Set[str]] | None = None,
) -> tuple[list[TreeNode], int, bool]:
    """Nested nodes from (begrip, label, boven, top) rows.

    A scheme that names its top concepts starts from them; concepts that hang
    nowhere else are grouped under "Overige begrippen". A large scheme (IMBOR)
    shows its top level only and opens one branch, named by `open_iri`. ``norms``
    (concept -> the norms it classifies) is gathered up the tree, each norm once per
    node, so an asset manager sees where norms hang before opening a branch.
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
    roots = sorted(tops or loose, key=lambda iri: labels[iri].lower())
    others = sorted(loose, key=lambda iri: labels[iri].lower()) if tops else []
    large = len(parents) > LARGE_SCHEME
    labeller = Labeller(base_iri, labels)

    def expand_href(key: str) -> str:
        return "/begrippen?" + urlencode({"schema": schema, "open": key})

    counts = norms or {}

    def below(iri: str, seen: frozenset[str]) -> int:
        """The number of distinct norms of ``iri`` and of everything under it."""
        found = {iri}
        pending = [iri]
        while pending:
            for kid in children.get(pending.pop(), []):
                if kid not in found and kid not in seen:
                    found.add(kid)
                    pending.append(kid)
        return len(set().union(*(counts.get(k, set()) for k in found)))

    def node(iri: str, depth: int, seen: frozenset[str]) -> TreeNode:
        kids = sorted(children.get(iri, []), key=lambda k: labels[k].lower())
        total = below(iri, seen) if counts else 0
        if large and depth == 0 and iri != open_iri:
            return TreeNode(
                labeller.link(iri), [], len(kids), False, False, expand_href(iri), norms=total
            )
        inner = [node(k, depth + 1, seen | {iri}) for k in kids if k not in seen]
        return TreeNode(
            labeller.link(iri), inner, len(kids), open=not large or iri == open_iri, norms=total
        )

    tree = [node(iri, 0, frozenset()) for iri in roots]
    if others:
        name = "Overige begrippen (zonder bovenliggend begrip)"
        if large and open_iri != OTHERS:
            group = TreeNode(None, [], len(others), False, False, expand_href(OTHERS), name)
        else:
            inner = [node(iri, 1, frozenset()) for iri in others]
            group = TreeNode(None, inner, len(others), open=open_iri == OTHERS, name=name)
        tree.append(group)
    return tree, len(parents), large
