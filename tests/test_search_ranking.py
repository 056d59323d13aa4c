"""The search's ranking against its definition, on random names.

search_entries ranks hits with a fast path (one word, the best few taken from a heap);
this test states the order the docstring promises in the plainest Python and checks
the two agree on random entries, totals included, with and without the prefilter.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from krbgraph.web.search import Entry, Haystack, normalise, search_entries

TYPES = (
    None,
    "https://data.krb.nl/def/krb#Beleidsnorm",
    "https://data.krb.nl/def/krb#Beleidsthema",
)
WORDS = st.text(alphabet="aeéns -", min_size=1, max_size=8)


def _definition(entries: list[Entry], text: str, limit: int) -> dict[str | None, tuple]:
    query = normalise(text)
    words = query.split()
    groups: dict[str | None, list[tuple[int, int, str, str]]] = {}
    for entry in entries:
        ranked = []
        for candidate in entry.texts:
            if not all(word in candidate for word in words):
                continue
            tokens = candidate.split()
            if candidate == query:
                rank = 0
            elif candidate.startswith(query):
                rank = 1
            elif all(any(token.startswith(word) for token in tokens) for word in words):
                rank = 2
            else:
                rank = 3
            ranked.append((rank, len(candidate), candidate))
        if (
            not ranked
            and len(words) > 1
            and all(any(word in candidate for candidate in entry.texts) for word in words)
        ):
            # the words spread over its texts (a code and a name): after the rest
            ranked.append((4, sum(len(t) for t in entry.texts), min(entry.texts, key=len)))
        if ranked:
            groups.setdefault(entry.type_iri, []).append((*min(ranked), entry.iri))
    return {
        kind: (len(hits), [(r, t) for r, _, t, _ in sorted(hits)[:limit]])
        for kind, hits in groups.items()
    }


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(
        st.tuples(st.lists(WORDS, min_size=1, max_size=3), st.sampled_from(TYPES)), max_size=40
    ),
    text=WORDS,
    limit=st.integers(1, 5),
)
def test_hits_and_totals_follow_the_documented_order(names, text, limit) -> None:
    entries = [
        Entry(
            f"https://example.org/{i}",
            texts[0],
            kind,
            tuple(dict.fromkeys(normalise(t) for t in texts)),
        )
        for i, (texts, kind) in enumerate(names)
    ]
    expected = _definition(entries, text, limit)
    for haystack in (None, Haystack.of(tuple(entries))):
        found = search_entries(entries, text, limit_per_type=limit, haystack=haystack)
        if not normalise(text).split():
            assert found == []
            continue
        got = {g.type_iri: (g.total, [(h.rank, h.matched) for h in g.hits]) for g in found}
        assert got == expected


def test_a_loose_search_after_spread_matches_counts_each_thing_once() -> None:
    """Words found only spread over a thing's code and name ran the loose search too,
    which found the same things again: "35 results" for 30 things."""
    from krbgraph.web.search import LabelIndex
    from krbgraph.web.search_text import loose_texts

    concept = "http://www.w3.org/2004/02/skos/core#Concept"
    entries = []
    for n in range(30):
        texts = (normalise(f"Meetpunt kwel {n}"), normalise(f"ZX-{n}"))
        label = f"Meetpunt kwel {n}"
        entries.append(Entry(f"https://e.org/{n}", label, concept, texts, loose_texts(texts)))
    index = LabelIndex()
    index.entries = lambda store: tuple(entries)  # type: ignore[method-assign]
    groups = index.search(None, "zx kwel")  # type: ignore[arg-type]
    assert sum(group.total for group in groups) == 30
    assert len({hit.entry.iri for group in groups for hit in group.hits}) == sum(
        len(group.hits) for group in groups
    )
