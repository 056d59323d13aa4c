"""Units (krbgraph/units.py, ontology/eenheden.ttl, ontology/qudt/): what people type
resolves to the right QUDT unit, values convert only between compatible units, and the
vendored QUDT extract is attributed and reproducible.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import sys
import time
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from krbgraph import units
from krbgraph.namespaces import QUDT, UNIT
from krbgraph.units import (
    DIMENSIONLESS,
    AmbiguousUnit,
    IncompatibleUnits,
    Unit,
    UnitCatalogue,
    UnknownUnit,
    compatible,
    convert,
    default_catalogue,
    resolve,
)

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "ontology" / "qudt" / "qudt-units.ttl"
EENHEDEN = ROOT / "ontology" / "eenheden.ttl"
BUILD = ROOT / "mappings" / "qudt" / "build.py"
PERCENTAGE_POINT = "https://data.krb.nl/id/begrip/eenheid/procentpunt"
SOURCE_CANDIDATES = (
    os.environ.get("KRB_QUDT_SOURCE", ""),
    str(ROOT / "mappings" / "qudt" / "source" / "qudt-unit-3.1.0.nq.gz"),
)


def _unit(text: str) -> Unit:
    return resolve(text)


# --- Resolving what people type ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "local_name"),
    [
        ("km/h", "KiloM-PER-HR"),
        ("km / h", "KiloM-PER-HR"),
        ("km.h-1", "KiloM-PER-HR"),
        ("km·h⁻¹", "KiloM-PER-HR"),
        ("KM/H", "KiloM-PER-HR"),
        ("KM", "KiloM"),  # not the Bosnian mark, whose symbol is KM
        ("Km", "KiloM"),
        ("KWh", "KiloW-HR"),  # the watt-hour in any case
        ("kwh", "KiloW-HR"),
        ("KWH", "KiloW-HR"),
        ("GWH", "GigaW-HR"),
        ("€", "CCY_EUR"),  # money by its sign still
        ("µg/m³", "MicroGM-PER-M3"),  # U+00B5 MICRO SIGN
        ("μg/m³", "MicroGM-PER-M3"),  # U+03BC GREEK SMALL LETTER MU
        ("μg/m3", "MicroGM-PER-M3"),
        ("ug/m3", "MicroGM-PER-M3"),
        ("ug / m3", "MicroGM-PER-M3"),
        ("ug.m-3", "MicroGM-PER-M3"),
        ("dB", "DeciB"),
        ("dB(A)", "DeciB_A"),
        ("dBA", "DeciB_A"),
        ("%", "PERCENT"),
        ("procent", "PERCENT"),
        ("Procent", "PERCENT"),
        ("kg/jr", "KiloGM-PER-YR"),
        ("km/u", "KiloM-PER-HR"),  # as Dutch road signs write it
        ("km/uur", "KiloM-PER-HR"),
        ("m3/u", "M3-PER-HR"),
        ("kg/jaar", "KiloGM-PER-YR"),
        ("kg per jaar", "KiloGM-PER-YR"),
        ("kg/a", "KiloGM-PER-YR"),
        ("kg.a-1", "KiloGM-PER-YR"),
        ("t/jr", "TONNE-PER-YR"),
        ("t/jaar", "TONNE-PER-YR"),
        ("ton per jaar", "TONNE-PER-YR"),
        ("t/a", "TONNE-PER-YR"),
        ("kt/a", "KiloTONNE-PER-YR"),
        ("per jaar", "NUM-PER-YR"),
        ("/jr", "NUM-PER-YR"),
        ("/jaar", "NUM-PER-YR"),
        ("/a", "NUM-PER-YR"),  # also PER-YR in QUDT: the KRB's own unit wins
        ("aantal", "NUM"),
        ("m", "M"),
        ("m2", "M2"),
        ("m²", "M2"),
        ("m3", "M3"),
        ("m³", "M3"),
        ("m³/jaar", "M3-PER-YR"),
        ("ha", "HA"),
        ("t", "TONNE"),  # also TON_Metric, interchangeable: the first IRI
        ("kWh", "KiloW-HR"),
        ("°C", "DEG_C"),
        ("Cel", "DEG_C"),
        ("uur", "HR"),
        ("dag", "DAY"),  # a KRB notation: not UCUM's decagram
        ("ppm", "PPM"),
        ("W/(m2.K)", "W-PER-M2-K"),
        ("unit:KiloM", "KiloM"),
        ("http://qudt.org/vocab/unit/M", "M"),
    ],
)
def test_what_people_type_resolves_to_the_qudt_unit(text: str, local_name: str) -> None:
    assert resolve(text).iri == str(UNIT[local_name])


@pytest.mark.parametrize("text", ["procentpunt", "procentpunten", "%-punt", "pp"])
def test_the_percentage_point_is_the_krb_unit(text: str) -> None:
    assert resolve(text).iri == PERCENTAGE_POINT


@pytest.mark.parametrize("text", ["K/jr", "K/jaar", "k/jr", "K per jaar", "K/a"])
def test_k_per_year_is_refused_and_asks_for_the_ucum_code(text: str) -> None:
    with pytest.raises((AmbiguousUnit, UnknownUnit)) as caught:
        resolve(text)
    error = caught.value
    assert "UCUM" in error.message_en and "UCUM" in error.message_nl
    assert "kelvin" in error.message_en and "kilotonne" in error.message_en
    if isinstance(error, AmbiguousUnit):
        assert {u.local_name for u in error.candidates} == {"TONNE-PER-YR", "KiloTONNE-PER-YR"}
        assert str(UNIT["TONNE-PER-YR"]) in error.message_en  # named, with its UCUM codes
        assert "t/a" in error.message_en


def test_per_kelvin_and_kelvin_as_ucum_are_not_refused() -> None:
    assert resolve("K").local_name == "K"
    assert resolve("K/h").local_name == "K-PER-HR"


def test_k_per_hour_in_dutch_names_the_kelvin_reading_too() -> None:
    with pytest.raises(AmbiguousUnit) as caught:
        resolve("K/uur")
    assert {u.local_name for u in caught.value.candidates} == {"TONNE-PER-HR", "K-PER-HR"}


@pytest.mark.parametrize(("text", "expected"), [("kmh", "km/h"), ("ug/m4", "ug/m3")])
def test_a_typo_gives_at_most_five_suggestions(text: str, expected: str) -> None:
    with pytest.raises(UnknownUnit) as caught:
        resolve(text)
    suggestions = caught.value.suggestions
    assert 1 <= len(suggestions) <= 5
    assert expected in suggestions
    assert len(caught.value.message_en) < 400, "never the whole list"


@pytest.mark.parametrize("text", ["mWh", "mwh", "MWH", "PWH"])
def test_a_watt_hour_whose_prefix_case_matters_is_never_guessed(text: str) -> None:
    """m is milli and M mega (a factor of 10⁹; QUDT has no milliwatt-hour, so the only
    candidate would be MWh): in the wrong case the text is refused, not read as MWh."""
    with pytest.raises(UnknownUnit) as caught:
        resolve(text)
    if text.casefold() == "mwh":
        assert "MW.h" in caught.value.suggestions  # named, not guessed


def test_an_unknown_iri_and_empty_text_are_unknown() -> None:
    for text in ("http://qudt.org/vocab/unit/NO-SUCH-UNIT", "unit:FURLONG-PER-FORTNIGHT", " "):
        with pytest.raises(UnknownUnit):
            resolve(text)


@pytest.mark.parametrize(
    ("text", "some_candidates"),
    [
        ("$", {"CCY_USD", "CCY_CAD"}),  # a symbol several currencies share
        ("kr", {"CCY_SEK", "CCY_NOK"}),
        ("MG", {"MilliGM", "MegaGM"}),  # case-insensitive UCUM: mg or Mg
        ("KG", {"KiloGM", "KiloGAUSS"}),  # kg or kG
    ],
)
def test_an_ambiguous_notation_names_the_candidates(text: str, some_candidates: set[str]) -> None:
    with pytest.raises(AmbiguousUnit) as caught:
        resolve(text)
    names = {u.local_name for u in caught.value.candidates}
    assert some_candidates <= names
    for unit in caught.value.candidates:
        assert unit.iri in caught.value.message_en
        for code in unit.ucum_codes:
            assert code in caught.value.message_en


def test_deprecated_units_give_way_to_their_replacement() -> None:
    assert resolve("$M/a").local_name == "MegaCCY_USD-PER-YR"  # not MillionUSD-PER-YR


def test_every_krb_notation_resolves_to_its_own_unit() -> None:
    graph = Graph().parse(EENHEDEN, format="turtle")
    for unit in graph.subjects(RDF.type, QUDT.Unit):
        for notation in graph.objects(unit, SKOS.altLabel):
            assert resolve(str(notation)).iri == str(unit), notation
        for symbol in graph.objects(unit, QUDT.symbol):
            assert resolve(str(symbol)).iri == str(unit), symbol


def test_eenheden_no_longer_reads_k_per_year_as_tonnes() -> None:
    graph = Graph().parse(EENHEDEN, format="turtle")
    assert not list(graph.subjects(SKOS.altLabel, Literal("K/jr")))


def test_the_krb_units_keep_their_iris() -> None:
    kept = {
        "DeciB_A",
        "DeciB",
        "PERCENT",
        "KiloM",
        "M",
        "M2",
        "HA",
        "NUM",
        "NUM-PER-YR",
        "TONNE-PER-YR",
        "KiloGM-PER-YR",
        "KiloGM",
        "HR",
        "DAY",
        "MicroGM-PER-M3",
        "DEG_C",
    }
    krb = {u.iri for u in default_catalogue().krb_units()}
    assert {str(UNIT[name]) for name in kept} | {PERCENTAGE_POINT} == krb


def test_every_unit_of_the_model_has_one_symbol() -> None:
    """The KRB's list restated a QUDT unit's symbol its own way ("t/jr" beside QUDT's
    "t/a", the micro sign beside the Greek mu): merged with QUDT a unit had two symbols,
    and answers showed one or the other. The Dutch spellings stay notations to type."""
    from krbgraph.model import model_graph

    model = model_graph()
    units = set(model.subjects(RDF.type, QUDT.Unit))
    twice = {u for u in units if len(set(model.objects(u, QUDT.symbol))) > 1}
    assert not twice, sorted(twice)[:10]
    catalogue = default_catalogue()
    for typed in ("t/jr", "kg/jr", "/jr", "µg/m³", "μg/m³", "dB(A)"):
        assert catalogue.resolve(typed).iri in {str(u) for u in units}, typed
    # What pages, answers and workbooks show: the KRB's notation where it has one.
    assert catalogue.resolve("t/a").display == "t/jr"
    assert catalogue.resolve("μg/m³").display == "μg/m³"


# --- Compatibility and conversion -------------------------------------------------------------


def test_km_converts_to_m() -> None:
    assert convert(Decimal("-0.1"), _unit("km"), _unit("m")) == Decimal("-100")


def test_kg_per_year_converts_to_tonnes_per_year() -> None:
    assert convert(Decimal("1"), _unit("t/jr"), _unit("kg/jr")) == Decimal("1000")
    assert convert(Decimal("120"), _unit("kg/jr"), _unit("t/jr")) == Decimal("0.12")


def test_offsets_apply_to_values_but_not_to_differences() -> None:
    celsius, kelvin = _unit("°C"), _unit("K")
    assert convert(Decimal("20"), celsius, kelvin) == Decimal("293.15")
    assert convert(Decimal("2"), celsius, kelvin, difference=True) == Decimal("2")
    fahrenheit = convert(Decimal("212"), _unit("[degF]"), celsius)
    assert abs(fahrenheit - 100) < Decimal("1e-12")  # QUDT gives 5/9 with 16 digits


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("%", "dB(A)"),
        ("%", "procentpunt"),
        ("%", "aantal"),
        ("dB", "dB(A)"),
        ("km", "kg"),
        ("/jr", "aantal"),
    ],
)
def test_incompatible_units_name_both(a: str, b: str) -> None:
    source, target = _unit(a), _unit(b)
    assert not compatible(source, target)
    with pytest.raises(IncompatibleUnits) as caught:
        convert(Decimal(45), source, target)
    for unit in (source, target):
        assert unit.iri in caught.value.message_en and unit.iri in caught.value.message_nl
        assert f"'{unit.display}'" in caught.value.message_en


def test_dimensionless_units_of_one_quantity_kind_convert() -> None:
    assert convert(Decimal("4.5"), _unit("%"), _unit("‰")) == Decimal("45")
    assert convert(Decimal("1"), _unit("%"), _unit("ppm")) == Decimal("10000")
    assert compatible(_unit("procentpunt"), _unit("procentpunt"))


def test_a_unit_converts_to_itself_even_without_a_multiplier() -> None:
    decibel = _unit("dB(A)")
    assert decibel.multiplier is None and compatible(decibel, decibel)
    assert convert(Decimal("55"), decibel, decibel) == Decimal("55")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        convert(0.1, _unit("km"), _unit("m"))  # type: ignore[arg-type]


@cache
def _units_by_dimension() -> dict[str, list[Unit]]:
    groups: dict[str, list[Unit]] = defaultdict(list)
    for unit in sorted(default_catalogue(), key=lambda u: u.iri):
        groups[unit.dimension_vector].append(unit)
    return {vector: members for vector, members in sorted(groups.items()) if len(members) > 1}


VALUES = st.decimals(
    min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6
)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), value=VALUES)
def test_conversion_round_trips_between_units_of_one_dimension(
    data: st.DataObject, value: Decimal
) -> None:
    groups = _units_by_dimension()
    vector = data.draw(st.sampled_from(sorted(groups)), label="dimension vector")
    a = data.draw(st.sampled_from(groups[vector]), label="a")
    b = data.draw(st.sampled_from(groups[vector]), label="b")
    assert compatible(a, b) == compatible(b, a)
    if not compatible(a, b):
        assert a.iri != b.iri
        assert not a.multiplier or not b.multiplier or vector == DIMENSIONLESS
        with pytest.raises(IncompatibleUnits):
            convert(value, a, b)
        return
    back = convert(convert(value, a, b), b, a)
    scale = abs(value) + abs(a.offset) + 1
    if a.multiplier and b.multiplier:
        scale += abs(b.offset) * b.multiplier / a.multiplier
    assert abs(back - value) <= Decimal("1e-18") * scale, (a.iri, b.iri)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_units_of_different_dimensions_never_convert(data: st.DataObject) -> None:
    groups = _units_by_dimension()
    first, second = data.draw(
        st.lists(st.sampled_from(sorted(groups)), min_size=2, max_size=2, unique=True)
    )
    a = data.draw(st.sampled_from(groups[first]))
    b = data.draw(st.sampled_from(groups[second]))
    assert not compatible(a, b)
    with pytest.raises(IncompatibleUnits):
        convert(Decimal(1), a, b)


# --- The catalogue and the vendored extract -------------------------------------------------


def test_catalogue_load_time(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    catalogue = UnitCatalogue.load()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    for text in ("km/h", "ug/m3", "kg/jr", "KM/H", "m³/jaar"):
        catalogue.resolve(text)
    resolved = (time.perf_counter() - started) / 5
    with capsys.disabled():
        print(
            f"\n  unit catalogue: {len(catalogue)} units loaded in {loaded:.3f} s, "
            f"{resolved * 1000:.2f} ms per resolve"
        )


def test_the_module_doctests_pass() -> None:
    result = doctest.testmod(units)
    assert result.attempted > 0 and result.failed == 0


def test_every_qudt_unit_is_in_the_catalogue() -> None:
    catalogue = default_catalogue()
    extract = Graph().parse(EXTRACT, format="turtle")  # rdflib reads it as it is
    qudt_units = set(extract.subjects(RDF.type, QUDT.Unit))
    assert len(qudt_units) == 2798
    assert all(str(unit) in catalogue for unit in qudt_units)
    assert len(catalogue) == len(qudt_units) + 1  # + the percentage point


def test_the_extract_carries_its_source_and_licences() -> None:
    extract = Graph().parse(EXTRACT, format="turtle")
    header = URIRef("https://data.krb.nl/def/qudt-units")
    assert (header, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in (
        extract
    )
    assert (header, DCTERMS.source, URIRef("http://qudt.org/3.1.0/vocab/unit")) in extract
    rights = " ".join(str(r) for r in extract.objects(header, DCTERMS.rights))
    assert "QUDT.org" in rights and "Regenstrief" in rights
    readme = (EXTRACT.parent / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "QUDT.org" in readme and "Regenstrief" in readme


def _source() -> Path | None:
    for candidate in SOURCE_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _load_build() -> ModuleType:
    """Import mappings/qudt/build.py, which is a script and not in a package."""
    spec = importlib.util.spec_from_file_location("qudt_build", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    source = _source()
    if source is None:
        pytest.skip("QUDT source not present (set KRB_QUDT_SOURCE to the .nq.gz)")
    build = _load_build()
    out = tmp_path / "qudt-units.ttl"
    summary = build.build(source, out)
    assert out.read_bytes() == EXTRACT.read_bytes(), "rebuild with mappings/qudt/build.py"
    assert (summary.units, summary.with_ucum, summary.deprecated) == (2798, 2241, 53)


@pytest.mark.parametrize("text", ["Mm", "Mm3", "Mg/l", "Pg"])
def test_a_capital_mega_or_peta_in_mixed_case_is_never_read_as_milli_or_pico(text: str) -> None:
    """ "Mm3" is a million cubic metres in Dutch water statistics (UCUM: mega); read
    ignoring case it became mm3, a value 10^18 times too small."""
    with pytest.raises(UnknownUnit, match="M is mega"):
        resolve(text)


def test_text_in_capitals_is_still_read_ignoring_case() -> None:
    assert resolve("MM").iri == str(UNIT["MilliM"])
    assert resolve("KM/H").iri == str(UNIT["KiloM-PER-HR"])


@pytest.mark.parametrize(
    ("text", "local_name"), [("Ppm", "PPM"), ("Ppb", "PPB"), ("Mol/l", "MOL-PER-L")]
)
def test_a_capital_that_is_no_prefix_is_still_read_ignoring_case(
    text: str, local_name: str
) -> None:
    """Only a capital M or P that would become milli or pico is kept apart: Ppm's P is
    no prefix ([ppm]), nor Mol's M (ol/l is no unit)."""
    assert resolve(text).iri == str(UNIT[local_name])
