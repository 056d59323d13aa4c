"""A terminal report of many findings: violations first, at most the limit, all counted."""

from __future__ import annotations

import re

from rdflib import Graph

from krbgraph.reports import text_report
from krbgraph.validation import Finding, ValidationResult, finding_sort_key


def finding(n: int, severity: str) -> Finding:
    return Finding(
        severity=severity,
        focus=f"https://krb.example.org/id/beleidsnorm/N{n:05d}",
        focus_label=f"Norm {n:05d}",
        focus_type="Beleidsnorm",
        path="http://qudt.org/schema/qudt/hasUnit",
        value=None,
        message_nl=f"bericht {n}",
        message_en=f"message {n}",
        shape=None,
    )


def test_the_limit_shows_whole_objects_violations_first_and_counts_the_rest() -> None:
    # 1,500 objects with two warnings each, and 7 with a violation, as a load sorts them.
    findings = [finding(n, "Warning") for n in range(1500) for _ in range(2)]
    findings += [finding(90000 + n, "Violation") for n in range(7)]
    result = ValidationResult(False, tuple(sorted(findings, key=finding_sort_key)), Graph())
    text = text_report(result, limit=1000).plain
    shown = re.findall(r"^  (Violation|Warning) ", text, flags=re.MULTILINE)
    assert shown.count("Violation") == 7  # every violation is shown
    assert len(shown) <= 1000 and len(shown) >= 999  # whole objects: 7 + 2 x 496
    hidden = len(findings) - len(shown)
    assert f"{hidden} more finding(s) on {(hidden) // 2} object(s) not shown" in text
    assert "7 overtreding(en)" in text  # the summary counts every finding
    assert "3000 waarschuwing(en)" in text


def test_without_a_limit_everything_is_shown() -> None:
    findings = tuple(finding(n, "Warning") for n in range(1200))
    text = text_report(ValidationResult(True, findings, Graph())).plain
    assert len(re.findall(r"^  Warning ", text, flags=re.MULTILINE)) == 1200
    assert "not shown" not in text
