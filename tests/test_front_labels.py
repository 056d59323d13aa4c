"""Smaller front fixes a Dutch reader sees on every resource page.

Type badges of the W3C classes in Dutch (and in English for an English reader),
and a validity period that reads begin then end, without its RDF type.
"""

from __future__ import annotations

import re


def _badges(html: str) -> list[str]:
    types = re.search(r'<p class="types">(.*?)</p>', html, re.S)
    assert types, "the page shows its types"
    return re.findall(r'class="badge"[^>]*>([^<]+)<', types.group(1))


def test_badges_name_w3c_classes_in_dutch(client) -> None:
    assert "Begrip" in _badges(client.get("/id/beleidsthema/geluid").text)
    assert "Concept" not in _badges(client.get("/id/beleidsthema/geluid").text)
    english = _badges(client.get("/id/beleidsthema/geluid?lang=en").text)
    assert "Begrip" not in english


def test_a_validity_period_reads_begin_then_end_without_its_type(client) -> None:
    html = client.get("/id/beleidsnorm/GEL-N01").text
    nested = re.search(r'<dl class="nested">(.*?)</dl>', html, re.S)
    assert nested, "the norm shows its own period"
    terms = re.findall(r"<dt>.*?>([^<]+)</a></dt>", nested.group(1))
    assert terms == ["begin", "einde"]
    assert "PeriodOfTime" not in nested.group(1)
