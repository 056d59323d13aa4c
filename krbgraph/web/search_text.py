"""How search compares texts: the normalised form names resolve in, and the looser
forms a search tries when the typed text finds nothing better (krbgraph.web.search)."""

from __future__ import annotations

import unicodedata

__all__ = ["loose_texts", "loosened", "normalise"]


def normalise(text: str) -> str:
    """The form names are compared in, free of what people type differently without
    meaning another name: case and accents ('Één Café' -> 'een cafe'), an apostrophe or
    hyphen of another kind (ORAC’s as iOS and Word write it, Burgwallen‑Oude Zijde with
    a non-breaking hyphen) and characters that are not seen (a soft hyphen or zero-width
    space copied from a PDF). Exact names resolve in this form, so 'Deelgebied 1.1' and
    'Deelgebied 11', or the operators '-Δ<=' and 'Δ<=', stay two names."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )
    return " ".join(kept.casefold().translate(_VARIANTS).split())


def loosened(normalised: str) -> str:
    """A normalised text without apostrophes and dots, its hyphens spaces: what a search
    that found nothing tries next ('oracs' for ORAC's, 'mer rapport' for m.e.r.-rapport).
    Never used to resolve an exact name."""
    return " ".join(normalised.translate(_LOOSE).split())


def loose_texts(normalised: tuple[str, ...]) -> tuple[str, ...]:
    """A thing's texts as a loosened search reads them: loosened, and with its hyphens
    left out as well ('merrapport' for m.e.r.-rapport, 'geln01' for GEL-N01: people type
    a code or a compound without them); () when that is the texts themselves."""
    loose = [loosened(text) for text in normalised]
    joined = [" ".join(text.translate(_JOINED).split()) for text in normalised]
    found = tuple(dict.fromkeys(loose + joined))
    return found if found != normalised else ()


_VARIANTS = str.maketrans(
    {**dict.fromkeys(map(ord, "’‘ʼ`´"), "'"), **dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")}
)
"""Apostrophes and hyphens of every kind as the keyboard's own, in normalise."""

_LOOSE = str.maketrans(
    {**dict.fromkeys(map(ord, "'."), None), **dict.fromkeys(map(ord, "-_"), " ")}
)
_JOINED = str.maketrans(dict.fromkeys(map(ord, "'.-_"), None))
