"""Yes/no parameters of the pages and the JSON API, in the words the pages use.

The forms say *ja* and *nee*, so a reader who edits a link writes ``ja`` too.
Pydantic's booleans know only English words and digits; this type adds the
Dutch ones and refuses anything else as before (the site's parameter page).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

_DUTCH = {"ja": True, "j": True, "nee": False, "n": False}


def _dutch_words_too(value: Any) -> Any:
    if isinstance(value, str):
        return _DUTCH.get(value.strip().lower(), value)
    return value


Flag = Annotated[bool, BeforeValidator(_dutch_words_too)]
"""A page's boolean query parameter: true/false, 1/0, yes/no, and ja/nee."""
