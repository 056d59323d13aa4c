"""A SPARQL update of several operations, cut into its operations where graphs come and go.

The store holds quads only: a graph exists while it has one (docs/web.md: the store
keeps no empty graphs; MOVE, COPY, ADD, DROP or CLEAR of a graph that does not exist,
without SILENT, is refused). The engine that tries a write keeps a named graph after
its last quad went, until the update ends, so in ``DELETE DATA { GRAPH <a> { ... } } ;
MOVE <a> TO <b>`` the MOVE found ``<a>``, empty, and emptied ``<b>``. Run one operation
at a time, with the graphs emptied by one forgotten before the next
(krbgraph.replica.ValidationReplica.run_update), such an update means what the same
operations sent one by one mean.

Only updates that need it are cut: several operations, one of them naming a graph as a
whole. Each operation keeps the PREFIX and BASE declarations written before it, as the
grammar carries a prologue to every later operation.
"""

from __future__ import annotations

from .sparql_text import Token, tokens

__all__ = ["operations"]

_GRAPH_WORDS = frozenset({"MOVE", "COPY", "ADD", "DROP", "CLEAR"})
"""Operations on a graph as a whole: whether it exists decides what they do."""


def operations(update: str) -> list[str] | None:
    """The update's operations, each with the prologue before it; None when it is one
    operation or none of them is a graph operation (it runs as it is)."""
    toks = tokens(update)
    top = [t for t in toks if t.depth == 0]
    if not any(t.kind == "word" and t.text.upper() in _GRAPH_WORDS for t in top):
        return None
    cuts = [t.start for t in top if t.kind == "op" and t.text == ";"]
    if not cuts:
        return None
    steps: list[str] = []
    prologue = ""
    bounds = [0, *(cut + 1 for cut in cuts), len(update)]
    for begin, end in zip(bounds, bounds[1:], strict=False):
        text = update[begin:end].rstrip().removesuffix(";")
        declared = _prologue_end(tokens(text))
        prologue += text[:declared] + "\n"
        if text[declared:].strip():
            steps.append(prologue + text[declared:])
    return steps if len(steps) > 1 else None


def _prologue_end(toks: list[Token]) -> int:
    """Where the PREFIX and BASE declarations at the start of an operation end."""
    index, end = 0, 0
    while index < len(toks) and toks[index].kind == "word":
        word = toks[index].text.upper()
        size = 3 if word == "PREFIX" else 2 if word == "BASE" else 0
        if not size or index + size > len(toks):
            break
        last = toks[index + size - 1]
        end = last.start + len(last.text)
        index += size
    return end
