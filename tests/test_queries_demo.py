"""The named queries answer the demo registry's questions exactly, on both store backends.

Each backend (embedded Oxigraph in a folder, a real ``oxigraph serve`` over HTTP)
is loaded once per module with the model graphs and the demo; every test runs on
both and must get the same rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from demo_backends import demo_store_fixture

from krbgraph.queries import (
    REGISTRY_BASE,
    ParameterError,
    load_catalogue,
    prepare_query,
    run_named_query,
)
from krbgraph.store import Store

ID = "https://krb.demogemeente.nl/id/"
KADER = "https://data.krb.nl/kader/id/"
IMBOR = "https://data.crow.nl/imbor/def/"
WOONGEBOUW = IMBOR + "5315f7e0-0826-4a68-8a7b-808f32a983a0"
ASFALTVERHARDING = IMBOR + "5e38db74-2c1b-4caa-bd62-c7008cb022c6"
BOOM = IMBOR + "83a942f7-5291-42f0-afb1-9a57d0fb2f15"
TODAY = date(2026, 11, 28)
CATALOGUE = load_catalogue()
INCOMPLETE = Path(__file__).parent / "data" / "queries" / "onvolledig.ttl"


store = demo_store_fixture()


def rows(store: Store, name: str, *columns: str, **params: str) -> set[tuple[str | None, ...]]:
    """The chosen columns of every row, as text (None when unbound)."""
    result = run_named_query(store, CATALOGUE, name, params, today=TODAY)
    index = [result.variables.index(c) for c in columns]
    assert len(set(result.rows)) == len(result.rows), f"{name} returned duplicate rows"
    return {tuple(None if row[i] is None else str(row[i]) for i in index) for row in result.rows}


def test_comfort_boxes_reaches_bouwen_geluid_and_gezondheid(store: Store) -> None:
    # One row per link; all three are effects on a norm, in force on TODAY (the
    # permit, the m.e.r.-rapport and the norms' documents are): two national norms,
    # of the Bouwbesluit and the Wet geluidshinder, and the m.e.r.-rapport's own.
    expected = {
        (
            "effect op norm",
            "Comfort boxes op geluidsniveau binnen",
            "-7",
            "dB(A)",
            "Geluidsniveau in verblijfsgebieden maximaal 33 dB(A)",
            "Geluidsdruk binnen (inpandig)",
            "Binnenmilieu",
            "Bouwen",
            "false",
        ),
        (
            "effect op norm",
            "Comfort boxes op geluidsdruk gevel",
            "-2",
            "dB(A)",
            "Voorkeursgrenswaarde wegverkeerslawaai op de gevel maximaal 48 dB(A)",
            "Geluidsdruk gevel (Lden)",
            "Verkeerslawaai",
            "Geluid",
            "true",
        ),
        (
            "effect op norm",
            "Comfort boxes op slaapgestoorden",
            "-1",
            "%",
            "Aantal slaapgestoorden maximaal 2 %",
            "Ernstig slaapverstoorden door geluid",
            "Slaapverstoring",
            "Gezondheid",
            "true",
        ),
    }
    columns = (
        "soort",
        "koppeling_label",
        "waarde",
        "eenheid_symbool",
        "norm_label",
        "indicator_label",
        "aspect_label",
        "thema_label",
        "dwarsverband",
    )
    # By IRI, by code and by exact name: the same measure, the same answer.
    for measure in (ID + "beleidsmaatregel/BOU-M02", "BOU-M02", "Comfort boxes"):
        assert rows(store, "dwarsverbanden-maatregel", *columns, maatregel=measure) == expected


def test_a_measure_within_its_own_theme_has_no_dwarsverband(store: Store) -> None:
    columns = ("maatregel_label", "eigen_thema_label", "soort", "thema_label", "dwarsverband")
    # Zichtlijnen vrijhouden (Bouwen) carries out a Bouwen rule: no dwarsverband.
    assert rows(store, "dwarsverbanden-maatregel", *columns, maatregel="BOU-M01") == {
        (
            "Zichtlijnen vrijhouden bij herinrichting",
            "Bouwen",
            "uitvoering van regel",
            "Bouwen",
            "false",
        )
    }
    # Stil asfalt ran 2021-04-01 .. 2025-12-31 (its own period, within the Actieplan
    # Geluid 2025): on a day in that period its effect on its own theme is none, its
    # effects on air quality (a provincial norm, from 2024), reuse of asphalt and water
    # on the street (straight on their indicators) are ...
    assert rows(
        store, "dwarsverbanden-maatregel", *columns, maatregel="GEL-M01", datum="2025-06-01"
    ) == {
        ("Stil asfalt", "Geluid", "effect op norm", "Geluid", "false"),
        ("Stil asfalt", "Geluid", "effect op norm", "Gezondheid", "true"),
        ("Stil asfalt", "Geluid", "effect op indicator", "Circulaire economie", "true"),
        ("Stil asfalt", "Geluid", "effect op indicator", "Klimaatadaptatie", "true"),
    }
    # ... and no longer on TODAY: the asphalt is laid, the measure is over.
    assert rows(store, "dwarsverbanden-maatregel", *columns, maatregel="GEL-M01") == set()


def test_slopen_garage_carries_out_a_rule_of_its_own_theme_and_reaches_groen(
    store: Store,
) -> None:
    assert rows(
        store,
        "dwarsverbanden-maatregel",
        "soort",
        "koppeling_label",
        "regel_label",
        "thema_label",
        "dwarsverband",
        maatregel="Slopen garage",
    ) == {
        (
            "uitvoering van regel",
            "Zichtlijn over de garagekavel vrij",
            "Bewaren zichtlijnen",
            "Bouwen",
            "false",
        ),
        ("effect op norm", "Slopen garage op afstand tot openbaar groen", None, "Groen", "true"),
    }


LINK_COLUMNS = (
    "soort",
    "koppeling_label",
    "waarde",
    "eenheid_symbool",
    "doel_begrip_label",
    "labelstappen",
    "horizon",
    "norm_label",
    "regel_label",
    "indicator_label",
    "aspect_label",
    "thema_label",
    "dwarsverband",
)


def test_effects_on_an_indicator_and_on_an_energy_label(store: Store) -> None:
    # The Transitievisie Warmte 2026 and its measures are in force from 2027.
    assert rows(store, "dwarsverbanden-maatregel", "koppeling", maatregel="ENE-M01") == set()
    in_2027 = {"datum": "2027-06-01"}
    assert rows(
        store, "dwarsverbanden-maatregel", *LINK_COLUMNS, maatregel="ENE-M01", **in_2027
    ) == {
        # A target label instead of a number with a unit.
        (
            "effect op norm",
            "Isolatieaanpak Parkrand op energielabel woningen",
            None,
            None,
            "A",
            None,
            "2030-12-31",
            "Energielabel woningen minimaal B",
            None,
            "Energielabel woningen",
            "Verduurzaming woningen",
            "Energietransitie",
            "false",
        ),
        # Straight on an indicator of another theme, where no norm applies.
        (
            "effect op indicator",
            "Isolatieaanpak Parkrand op geluidsdruk binnen",
            "-3",
            "dB(A)",
            None,
            None,
            "2030-12-31",
            None,
            None,
            "Geluidsdruk binnen (inpandig)",
            "Binnenmilieu",
            "Bouwen",
            "true",
        ),
    }
    steps = rows(
        store,
        "dwarsverbanden-maatregel",
        "soort",
        "labelstappen",
        "horizon",
        "norm_label",
        maatregel="ENE-M02",
        **in_2027,
    )
    assert steps == {("effect op norm", "1", "2029-12-31", "Energielabel woningen minimaal B")}


def test_an_uitvoering_reaches_the_theme_of_its_rule(store: Store) -> None:
    # Bouw groene speelplaatsen (Groen) carries out the Gezondheid rule "Uitnodigen tot
    # bewegen en buitenspelen", which hooks onto no indicator: one row, without
    # indicator or aspect, besides the measure's two effects on Groen norms.
    assert rows(
        store,
        "dwarsverbanden-maatregel",
        "soort",
        "koppeling_label",
        "norm_label",
        "regel_label",
        "indicator_label",
        "aspect_label",
        "thema_label",
        "dwarsverband",
        maatregel="GRO-M01",
    ) == {
        (
            "effect op norm",
            "Groene speelplaatsen op afstand tot openbaar groen",
            "Afstand tot openbaar groen maximaal 0,4 km",
            None,
            "Afstand tot openbaar groen",
            "Openbaar groen en spelen",
            "Groen",
            "false",
        ),
        (
            "effect op norm",
            "Groene speelplaatsen op afstand tot speelterrein",
            "Afstand tot speelterrein maximaal 0,3 km",
            None,
            "Afstand tot speelterrein",
            "Openbaar groen en spelen",
            "Groen",
            "false",
        ),
        (
            "uitvoering van regel",
            "Groene speelplaatsen nodigen uit tot buitenspelen",
            None,
            "Uitnodigen tot bewegen en buitenspelen",
            None,
            None,
            "Gezondheid",
            "true",
        ),
    }


NETWORK_COLUMNS = (
    "bron_label",
    "doel_label",
    "maatregelen",
    "koppelingen",
    "effecten_op_norm",
    "effecten_op_indicator",
    "uitvoeringen",
)


def test_network_links_themes_weighted_by_measures_and_effects(store: Store) -> None:
    # TODAY: Comfort boxes and Slopen garage (Bouwen) aim at norms of Geluid,
    # Gezondheid and Groen; Bouw groene speelplaatsen (Groen) carries out the
    # Gezondheid rule "Uitnodigen tot bewegen en buitenspelen" (from 2025-07-01).
    today = run_named_query(store, CATALOGUE, "dwarsverbanden-netwerk", {}, today=TODAY)
    index = [today.variables.index(c) for c in NETWORK_COLUMNS]
    # Sorted by '# order: -koppelingen, bron_label, doel_label' after the names are added.
    assert [tuple(str(row[i]) for i in index) for row in today.rows] == [
        ("Bouwen", "Geluid", "1", "1", "1", "0", "0"),
        ("Bouwen", "Gezondheid", "1", "1", "1", "0", "0"),
        ("Bouwen", "Groen", "1", "1", "1", "0", "0"),
        ("Groen", "Gezondheid", "1", "1", "0", "0", "1"),
    ]
    # From 2027 the Isolatieaanpak Parkrand (Energietransitie) has an effect straight
    # on the Bouwen indicator Geluidsdruk binnen.
    assert rows(store, "dwarsverbanden-netwerk", *NETWORK_COLUMNS, datum="2027-06-01") == {
        ("Bouwen", "Geluid", "1", "1", "1", "0", "0"),
        ("Bouwen", "Gezondheid", "1", "1", "1", "0", "0"),
        ("Bouwen", "Groen", "1", "1", "1", "0", "0"),
        ("Energietransitie", "Bouwen", "1", "1", "0", "1", "0"),
        ("Groen", "Gezondheid", "1", "1", "0", "0", "1"),
    }
    # Mid 2024 the permit holding Comfort boxes (2024-09-10), Slopen garage's effect
    # on GRO-N01 (from 2025) and the uitvoering (from 2025-07-01, the Omgevingsplan
    # 2050) do not count yet; Stil asfalt does, on three other themes.
    assert rows(store, "dwarsverbanden-netwerk", *NETWORK_COLUMNS, datum="2024-06-01") == {
        ("Geluid", "Circulaire economie", "1", "1", "0", "1", "0"),
        ("Geluid", "Gezondheid", "1", "1", "1", "0", "0"),
        ("Geluid", "Klimaatadaptatie", "1", "1", "0", "1", "0"),
    }
    # Mid 2025 both.
    assert rows(store, "dwarsverbanden-netwerk", *NETWORK_COLUMNS, datum="2025-06-01") == {
        ("Bouwen", "Geluid", "1", "1", "1", "0", "0"),
        ("Bouwen", "Gezondheid", "1", "1", "1", "0", "0"),
        ("Bouwen", "Groen", "1", "1", "1", "0", "0"),
        ("Geluid", "Circulaire economie", "1", "1", "0", "1", "0"),
        ("Geluid", "Gezondheid", "1", "1", "1", "0", "0"),
        ("Geluid", "Klimaatadaptatie", "1", "1", "0", "1", "0"),
    }


def test_theme_nodes_count_indicators_norms_and_measures(store: Store) -> None:
    columns = ("thema_label", "indicatoren", "normen", "regels", "maatregelen")
    # TODAY: Geluid counts GEL-N01, GEL-N04, BKL-N01 and WGH-N01 (GEL-N02 ended
    # 2025-12-31) and no measure (Stil asfalt is over); Energietransitie's norm and
    # measures start in 2027. Bouwen's norms: BOU-N01..N03 and the Bouwbesluit's
    # BB2012-N01; its rules BOU-R01 (through its indicator) and BOU-R02 (its own
    # theme); Gezondheid's rule GEZ-R01; Circulaire economie's and Klimaatadaptatie's
    # rules CIR-R01 and KLI-R01 (through their indicators).
    assert rows(store, "dwarsverbanden-themas", *columns) == {
        ("Bouwen", "3", "4", "2", "3"),
        ("Circulaire economie", "3", "2", "1", "0"),
        ("Energietransitie", "1", "0", "0", "0"),
        ("Geluid", "1", "4", "0", "0"),
        ("Gezondheid", "2", "4", "1", "0"),
        ("Groen", "3", "3", "0", "1"),
        ("Klimaatadaptatie", "1", "0", "1", "0"),
    }
    mid_2025 = rows(store, "dwarsverbanden-themas", *columns, datum="2025-06-01")
    assert ("Geluid", "1", "4", "0", "1") in mid_2025  # GEL-N02 instead of GEL-N04; Stil asfalt
    assert ("Bouwen", "3", "4", "1", "2") in mid_2025  # before the Omgevingsplan 2050
    in_2027 = rows(store, "dwarsverbanden-themas", *columns, datum="2027-06-01")
    assert ("Energietransitie", "1", "1", "0", "2") in in_2027


PARKSTRAAT_IN_FORCE = {
    # On TODAY in the Parkstraat: what is set for the street itself and for the areas it
    # lies in (Parkbuurt < Parkkwartier < Demogemeente < Demoprovincie < Nederland; the
    # last two are the frameworks' areas, with IRIs of their own).
    ("beleidsmaatregel", "GRO-M01", "Parkkwartier", "omvat"),
    ("beleidsnorm", "BB2012-N01", "Nederland", "omvat"),
    ("beleidsnorm", "BKL-N01", "Nederland", "omvat"),
    ("beleidsnorm", "BKL-N02", "Nederland", "omvat"),
    ("beleidsnorm", "CIR-N01", "Demogemeente", "omvat"),
    ("beleidsnorm", "CIR-N02", "Demogemeente", "omvat"),
    ("beleidsnorm", "GEL-N01", "Demogemeente", "omvat"),
    ("beleidsnorm", "GEL-N04", "Demogemeente", "omvat"),
    ("beleidsnorm", "GEZ-N01", "Demogemeente", "omvat"),
    ("beleidsnorm", "GRO-N01", "Demogemeente", "omvat"),
    ("beleidsnorm", "GRO-N02", "Demogemeente", "omvat"),
    ("beleidsnorm", "GRO-N03", "Demogemeente", "omvat"),
    ("beleidsnorm", "OV-DEMO-N01", "Demoprovincie", "omvat"),
    ("beleidsnorm", "WGH-N01", "Nederland", "omvat"),
    ("beleidsregel", "BOU-R02", "Demogemeente", "omvat"),
    ("beleidsregel", "CIR-R01", "Demogemeente", "omvat"),
    ("beleidsregel", "GEZ-R01", "Demogemeente", "omvat"),
    ("beleidsregel", "KLI-R01", "Demogemeente", "omvat"),
    ("beoogd effect", "GRO-E01", "Parkkwartier", "omvat"),
    ("beoogd effect", "GRO-E02", "Parkkwartier", "omvat"),
}
PARKSTRAAT_NOT_IN_FORCE = {
    # Stil asfalt and its effects ran until 2025-12-31, as did the plandrempel GEL-N02 of
    # the replaced Actieplan Geluid 2025; the Transitievisie Warmte starts in 2027. The
    # effects without an area of their own hold where the measure does.
    ("beleidsmaatregel", "GEL-M01", "Parkstraat", "zelf", "verlopen"),
    ("beoogd effect", "GEL-E01", "Parkstraat", "zelf", "verlopen"),
    ("beoogd effect", "GEL-E02", "Parkstraat", "zelf", "verlopen"),
    ("beoogd effect", "GEL-E03", "Parkstraat", "zelf", "verlopen"),
    ("beoogd effect", "GEL-E04", "Parkstraat", "zelf", "verlopen"),
    ("beleidsnorm", "GEL-N02", "Demogemeente", "omvat", "verlopen"),
    ("beleidsnorm", "ENE-N01", "Demogemeente", "omvat", "toekomstig"),
    ("beleidsmaatregel", "ENE-M02", "Demogemeente", "omvat", "toekomstig"),
    ("beoogd effect", "ENE-E03", "Demogemeente", "omvat", "toekomstig"),
}


def test_policy_of_containing_areas_applies_in_a_street(store: Store) -> None:
    columns = ("soort", "code", "vastgesteld_voor_label", "relatie")
    today = rows(store, "beleid-in-gebied", *columns, gebied="parkstraat")
    assert today == PARKSTRAAT_IN_FORCE
    assert rows(store, "beleid-in-gebied", *columns, gebied="parkstraat", datum="2026-11-28") == (
        PARKSTRAAT_IN_FORCE
    )
    # alles=true adds what is not in force on the date, marked in 'geldigheid'.
    everything = rows(
        store, "beleid-in-gebied", *columns, "geldigheid", gebied="parkstraat", alles="true"
    )
    assert everything == {row + ("geldig",) for row in PARKSTRAAT_IN_FORCE} | (
        PARKSTRAAT_NOT_IN_FORCE
    )
    # Mid 2025 Stil asfalt was in force in its own street, with GEL-N02 still in force
    # and neither GEL-N04 (2026) nor the Omgevingsplan 2050's rules (2025-07-01) yet.
    mid_2025 = rows(store, "beleid-in-gebied", *columns, gebied="parkstraat", datum="2025-06-01")
    assert mid_2025 == (
        PARKSTRAAT_IN_FORCE
        - {
            ("beleidsnorm", "GEL-N04", "Demogemeente", "omvat"),
            ("beleidsregel", "BOU-R02", "Demogemeente", "omvat"),
            ("beleidsregel", "GEZ-R01", "Demogemeente", "omvat"),
            ("beleidsregel", "KLI-R01", "Demogemeente", "omvat"),
        }
    ) | {
        ("beleidsmaatregel", "GEL-M01", "Parkstraat", "zelf"),
        ("beoogd effect", "GEL-E01", "Parkstraat", "zelf"),
        ("beoogd effect", "GEL-E02", "Parkstraat", "zelf"),
        ("beoogd effect", "GEL-E03", "Parkstraat", "zelf"),
        ("beoogd effect", "GEL-E04", "Parkstraat", "zelf"),
        ("beleidsnorm", "GEL-N02", "Demogemeente", "omvat"),
    }
    # Stil asfalt was also laid in the Vlietweg, but its effect on the facade norm is
    # set for the Parkstraat only: the measure and its effects without an area of
    # their own count there, that effect does not.
    vlietweg = rows(
        store, "beleid-in-gebied", "soort", "code", gebied="vlietweg", datum="2025-06-01"
    )
    assert ("beleidsmaatregel", "GEL-M01") in vlietweg
    assert ("beoogd effect", "GEL-E02") in vlietweg
    assert ("beoogd effect", "GEL-E01") not in vlietweg


def test_direction_chooses_containing_or_contained_areas(store: Store) -> None:
    columns = ("code", "vastgesteld_voor_label", "relatie")
    here = rows(store, "beleid-in-gebied", *columns, gebied="WK999902")
    inside = rows(store, "beleid-in-gebied", *columns, gebied="WK999902", richting="binnen")
    both = rows(store, "beleid-in-gebied", *columns, gebied="WK999902", richting="beide")
    own = {
        ("GRO-M01", "Parkkwartier", "zelf"),
        ("GRO-E01", "Parkkwartier", "zelf"),
        ("GRO-E02", "Parkkwartier", "zelf"),
    }
    # The measure of the Parklaan (a street in the buurt Parkzicht); the rule it carries
    # out holds in the whole municipality, around the wijk.
    below = {("BOU-M01", "Parklaan van Spui tot Vliet", "binnen")}
    assert ("BOU-R02", "Demogemeente", "omvat") in here
    assert own <= here and not below & here
    assert {relatie for _, _, relatie in here} == {"zelf", "omvat"}
    assert inside == own | below
    assert both == here | inside


def test_norms_in_force_on_a_date(store: Store) -> None:
    # A norm or rule without a period of its own follows its document: nothing of the
    # municipality was in force before the Actieplan Geluid 2025 (2020-07-01), only the
    # national norms of the Wet geluidshinder (2007) and the Bouwbesluit 2012.
    assert rows(store, "geldig-op", "soort", "code", datum="2020-01-01") == {
        ("beleidsnorm", "BB2012-N01"),
        ("beleidsnorm", "WGH-N01"),
    }
    assert rows(store, "geldig-op", "soort", "code", datum="2023-01-01") == {
        ("beleidsnorm", "BB2012-N01"),
        ("beleidsnorm", "WGH-N01"),
        ("beleidsnorm", "BOU-N01"),  # Hoogbouwvisie Centrum, in force from 2022-03-24
        ("beleidsnorm", "BOU-N02"),
        ("beleidsnorm", "BOU-N03"),
        ("beleidsregel", "BOU-R01"),
        ("beleidsnorm", "GRO-N03"),  # Omgevingsvisie, in force from 2022-08-01
        ("beleidsnorm", "CIR-N01"),  # own period from 2023-01-01
        ("beleidsnorm", "CIR-N02"),
        ("beleidsregel", "CIR-R01"),  # Circulaire strategie, from 2023-01-01
        ("beleidsnorm", "GEL-N02"),  # 2020-07-01 .. 2025-12-31
    }
    # The default is today; GEL-N02 ended 2025-12-31, ENE-N01 starts 2027-01-01.
    assert rows(store, "geldig-op", "soort", "code") == {
        ("beleidsregel", code) for code in ("BOU-R01", "BOU-R02", "CIR-R01", "GEZ-R01", "KLI-R01")
    } | {
        ("beleidsnorm", code)
        for code in (
            "BB2012-N01",
            "BKL-N01",
            "BKL-N02",
            "BOU-N01",
            "BOU-N02",
            "BOU-N03",
            "CIR-N01",
            "CIR-N02",
            "GEL-N01",
            "GEL-N04",
            "GEZ-N01",
            "GEZ-N02",
            "GRO-N01",
            "GRO-N02",
            "GRO-N03",
            "OV-DEMO-N01",
            "WGH-N01",
        )
    }

    def on(day: str) -> set[str]:
        return {code for (code,) in rows(store, "geldig-op", "code", datum=day)}

    # Boundaries count as in force. The Actieplan Geluid 2030 replaces the 2025 plan
    # from 2026-01-01: GEL-N02's last day is the day before GEL-N04's first.
    assert "GEL-N02" in on("2025-12-31") and "GEL-N04" not in on("2025-12-31")
    assert "GEL-N02" not in on("2026-01-01") and "GEL-N04" in on("2026-01-01")
    assert "ENE-N01" not in on("2026-12-31") and "ENE-N01" in on("2027-01-01")
    # The M.e.r.-rapport has only an advice, which adopts nothing: the report is in
    # force from its own date, and GEZ-N02's period starts that day too.
    assert "GEZ-N02" not in on("2024-02-14") and "GEZ-N02" in on("2024-02-15")
    # Derived dates are columns of the answer.
    dated = rows(store, "geldig-op", "code", "geldig_vanaf", "geldig_tot")
    assert ("GEL-N04", "2026-01-01", None) in dated
    assert ("GEZ-N02", "2024-02-15", None) in dated
    assert ("GEL-N01", "2024-01-01", "2030-12-31") in dated
    assert ("BOU-N01", "2022-03-24", None) in dated  # the Hoogbouwvisie's entry into force


OBJECTTYPE_COLUMNS = ("soort", "code", "klasse_label", "via", "norm")
NORM = ID + "beleidsnorm/"
KADER_NORM = KADER + "beleidsnorm/"


def test_norms_for_an_object_type_include_superclasses_and_alle(store: Store) -> None:
    # TODAY: one row per norm (never one per measure), and a row per measure per
    # effect on one of those norms. GEL-N02 and Stil asfalt ended 2025-12-31.
    woongebouw = rows(
        store, "normen-per-imbor-objecttype", *OBJECTTYPE_COLUMNS, objecttype=WOONGEBOUW
    )
    assert woongebouw == {
        ("beleidsnorm", "BB2012-N01", "Woongebouw", "objecttype", None),
        ("beleidsnorm", "BKL-N01", "Woongebouw", "objecttype", None),
        ("beleidsnorm", "GEL-N01", "Woongebouw", "objecttype", None),
        ("beleidsnorm", "GEL-N04", "Woongebouw", "objecttype", None),
        ("beleidsnorm", "GEZ-N01", "Woongebouw", "objecttype", None),
        ("beleidsnorm", "GEZ-N02", "Woongebouw", "objecttype", None),
        ("beleidsnorm", "WGH-N01", "Woongebouw", "objecttype", None),
        ("beleidsnorm", "BOU-N01", "Gebouw", "superklasse", None),
        ("beleidsnorm", "BOU-N02", "Gebouw", "superklasse", None),
        ("beleidsnorm", "BOU-N03", "Gebouw", "superklasse", None),
        ("beleidsnorm", "BKL-N02", "alle", "alle", None),
        ("beleidsnorm", "OV-DEMO-N01", "alle", "alle", None),
        ("beleidsmaatregel", "BOU-M02", "Woongebouw", "objecttype", KADER_NORM + "BB2012-N01"),
        ("beleidsmaatregel", "BOU-M02", "Woongebouw", "objecttype", KADER_NORM + "WGH-N01"),
        ("beleidsmaatregel", "BOU-M02", "Woongebouw", "objecttype", NORM + "GEZ-N02"),
    }
    effects = rows(
        store,
        "normen-per-imbor-objecttype",
        "code",
        "norm",
        "effect_waarde",
        "effect_eenheid_symbool",
        objecttype=WOONGEBOUW,
    )
    assert ("BOU-M02", KADER_NORM + "WGH-N01", "-2", "dB(A)") in effects
    # Mid 2025 the plandrempel GEL-N02 applied instead of GEL-N04, and Stil asfalt
    # aimed at GEL-N01 and, for fine dust, at the provincial norm (on every object type).
    mid_2025 = rows(
        store,
        "normen-per-imbor-objecttype",
        *OBJECTTYPE_COLUMNS,
        objecttype=WOONGEBOUW,
        datum="2025-06-01",
    )
    assert mid_2025 == (
        woongebouw - {("beleidsnorm", "GEL-N04", "Woongebouw", "objecttype", None)}
    ) | {
        ("beleidsnorm", "GEL-N02", "Woongebouw", "objecttype", None),
        ("beleidsmaatregel", "GEL-M01", "Woongebouw", "objecttype", NORM + "GEL-N01"),
        ("beleidsmaatregel", "GEL-M01", "alle", "alle", KADER_NORM + "OV-DEMO-N01"),
    }


def test_a_local_object_type_inherits_the_norms_of_its_imbor_superclass(store: Store) -> None:
    inherited = {
        ("beleidsnorm", "BOU-N01", "Gebouw", "superklasse", None),
        ("beleidsnorm", "BOU-N02", "Gebouw", "superklasse", None),
        ("beleidsnorm", "BOU-N03", "Gebouw", "superklasse", None),
        ("beleidsnorm", "BKL-N02", "alle", "alle", None),
        ("beleidsnorm", "OV-DEMO-N01", "alle", "alle", None),
    }
    # TODAY the energy-label norm on Woningen and its measures have not started (2027).
    assert (
        rows(store, "normen-per-imbor-objecttype", *OBJECTTYPE_COLUMNS, objecttype="Woningen")
        == inherited
    )
    # In 2027: the norm, the measure acting on Woningen itself (krb:objecttype, no
    # norm) and both measures with an effect on the norm.
    assert rows(
        store,
        "normen-per-imbor-objecttype",
        *OBJECTTYPE_COLUMNS,
        objecttype="Woningen",
        datum="2027-06-01",
    ) == inherited | {
        ("beleidsnorm", "ENE-N01", "Woningen", "objecttype", None),
        ("beleidsmaatregel", "ENE-M01", "Woningen", "objecttype", None),
        ("beleidsmaatregel", "ENE-M01", "Woningen", "objecttype", NORM + "ENE-N01"),
        ("beleidsmaatregel", "ENE-M02", "Woningen", "objecttype", NORM + "ENE-N01"),
    }


FOREIGN_NORM = f"""
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
INSERT DATA {{ GRAPH <{ID}graph/elders> {{
  <{NORM}ELD-N01> a krb:Beleidsnorm ; rdfs:label "Norm van de Kade"@nl ;
    dct:identifier "ELD-N01" ; krb:leefomgeving <{WOONGEBOUW}> ;
    krb:werkingsgebied <{ID}werkingsgebied/WK999903> .
  <{ID}beoogd-effect/ELD-E01> a krb:BeoogdEffect ; krb:norm <{NORM}ELD-N01> ;
    krb:maatregel <{ID}beleidsmaatregel/GEL-M01> ;
    qudt:numericValue -1.0 ; qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> .
}} }}"""


def test_a_measure_through_an_effect_comes_only_with_a_norm_the_answer_lists(
    store: Store,
) -> None:
    """ "Maatregelen komen mee als ze een beoogd effect hebben op een van die normen": with
    an area, a measure of the Parkstraat aiming at a norm set only for another wijk was
    listed via that norm, which the same answer left out. Checked as a property over
    every area of the demo and every direction."""
    store.update(FOREIGN_NORM)
    try:
        areas = [
            str(row[0])
            for row in store.query(
                "SELECT DISTINCT ?g WHERE { ?g a <https://data.krb.nl/def/krb#Werkingsgebied> }"
            ).rows
        ]
        assert f"{ID}werkingsgebied/parkstraat" in areas
        seen_measures = 0
        for area in areas:
            for richting in ("hier", "binnen", "beide"):
                found = rows(
                    store,
                    "normen-per-imbor-objecttype",
                    "soort",
                    "object",
                    "norm",
                    objecttype=WOONGEBOUW,
                    gebied=area,
                    richting=richting,
                    datum="2025-06-01",
                )
                norms = {obj for soort, obj, _ in found if soort == "beleidsnorm"}
                via = {norm for soort, _, norm in found if soort == "beleidsmaatregel" and norm}
                seen_measures += len(via)
                assert via <= norms, (area, richting, via - norms)
        assert seen_measures  # measures through effects were there to check
        parkstraat = rows(
            store,
            "normen-per-imbor-objecttype",
            "norm",
            objecttype=WOONGEBOUW,
            gebied=f"{ID}werkingsgebied/parkstraat",
            datum="2025-06-01",
        )
        assert (NORM + "ELD-N01",) not in parkstraat
        assert (NORM + "GEL-N01",) in parkstraat  # its effect on a norm that applies there
    finally:
        store.update(f"DROP GRAPH <{ID}graph/elders>")


def test_norms_for_an_object_type_limited_to_an_area_and_date(store: Store) -> None:
    # In the Parkstraat the Centrum and Gebouwlocatie norms do not apply, nor does
    # Comfort boxes (its effects are set for the Gebouwlocatie); on the date GEL-N02
    # has ended and GEL-N04 of the Actieplan Geluid 2030 applies instead.
    assert rows(
        store,
        "normen-per-imbor-objecttype",
        "soort",
        "code",
        objecttype="Woongebouw",
        gebied="parkstraat",
        datum="2026-11-28",
    ) == {
        ("beleidsnorm", code)
        for code in (
            "BB2012-N01",
            "BKL-N01",
            "BKL-N02",
            "GEL-N01",
            "GEL-N04",
            "GEZ-N01",
            "OV-DEMO-N01",
            "WGH-N01",
        )
    }
    # Mid 2025 Stil asfalt's effect (set for the Parkstraat) aimed at GEL-N01 there ...
    in_street = rows(
        store,
        "normen-per-imbor-objecttype",
        "soort",
        "code",
        objecttype="Woongebouw",
        gebied="parkstraat",
        datum="2025-06-01",
    )
    assert ("beleidsmaatregel", "GEL-M01") in in_street
    assert ("beleidsnorm", "GEL-N02") in in_street and ("beleidsnorm", "GEL-N04") not in in_street
    # ... but not in the Vlietweg, where the asphalt lies without that effect; there it
    # counts only through its effect on fine dust, which has no area of its own and so
    # holds wherever the measure does (a norm on every object type, "alle") ...
    vlietweg = rows(
        store,
        "normen-per-imbor-objecttype",
        "soort",
        "code",
        "norm",
        objecttype="Woongebouw",
        gebied="vlietweg",
        datum="2025-06-01",
    )
    assert {row for row in vlietweg if row[1] == "GEL-M01"} == {
        ("beleidsmaatregel", "GEL-M01", KADER_NORM + "OV-DEMO-N01")
    }
    # ... nor in the Gebouwlocatie, where Comfort boxes does count.
    at_the_tower = rows(
        store,
        "normen-per-imbor-objecttype",
        "soort",
        "code",
        objecttype="Woongebouw",
        gebied="gebouwlocatie",
        datum="2025-06-01",
    )
    assert ("beleidsmaatregel", "BOU-M02") in at_the_tower
    assert ("beleidsmaatregel", "GEL-M01") not in at_the_tower


def test_norms_per_zoekingang(store: Store) -> None:
    assert rows(
        store,
        "normen-per-zoekingang",
        "code",
        "klasse_label",
        "via_superklasse",
        zoekingang="Bomen",
    ) == {
        ("GRO-N03", "Boom", "false"),
        ("BKL-N02", "alle", "true"),
        ("OV-DEMO-N01", "alle", "true"),
    }


def test_besluitspoor_of_a_norm_lists_both_decisions_oldest_first(store: Store) -> None:
    result = run_named_query(store, CATALOGUE, "besluitspoor", {"instrument": "GEL-N01"})
    names = ("document_label", "dossier_label", "besluit_label", "besluit_datum", "ris_nummer")
    index = [result.variables.index(n) for n in names]
    assert [tuple(str(row[i]) for i in index) for row in result.rows] == [
        ("Geluid 2030", "Geluid", "Collegebesluit Geluid 2030", "2023-11-12", "RIS-2023-112"),
        ("Geluid 2030", "Geluid", "Raadsbesluit Geluid 2030", "2023-11-16", "RIS-2023-118"),
    ]


@pytest.mark.parametrize(
    ("query", "values"),
    [
        ("besluitspoor", {"instrument": "id:beleidsnorm/GEL-N01"}),
        ("zoek", {"tekst": "GEL-N01", "klasse": "krb:Beleidsnorm"}),
    ],
)
def test_an_iri_written_short_as_the_pages_show_it_means_that_iri(
    store: Store, query: str, values: dict[str, str]
) -> None:
    """Typed back into a form, id:beleidsnorm/GEL-N01 and krb:Beleidsnorm were absolute
    IRIs of the schemes "id" and "krb": no row and no message."""
    short = run_named_query(store, CATALOGUE, query, values)
    full = {
        key: value.replace("id:", "https://krb.demogemeente.nl/id/").replace(
            "krb:", "https://data.krb.nl/def/krb#"
        )
        for key, value in values.items()
    }
    assert short.rows
    assert short.rows == run_named_query(store, CATALOGUE, query, full).rows


def test_a_short_iri_no_iri_can_hold_is_said_to_name_nothing(store: Store) -> None:
    """A space in id:... made an IRI of the served base that cannot be: a 500."""
    token = REGISTRY_BASE.set("https://krb.demogemeente.nl")
    try:
        for written in ("id:beleidsnorm/GEL N01", "id:beleidsnorm/x<y"):
            with pytest.raises(ParameterError, match="has code or name"):
                prepare_query(store, CATALOGUE, "besluitspoor", {"instrument": written})
    finally:
        REGISTRY_BASE.reset(token)


def test_a_short_iri_of_nothing_in_the_registry_is_said_so(store: Store) -> None:
    with pytest.raises(ParameterError, match="id:beleidsnorm/GEL-N99"):
        run_named_query(store, CATALOGUE, "besluitspoor", {"instrument": "id:beleidsnorm/GEL-N99"})


def test_besluitspoor_lists_the_decisions_before_the_replacement_chain(
    model_store: Store, tmp_path: Path
) -> None:
    """Sorted by date alone, a draft successor (no date) came first and a chain step
    dated before a decision came between the decisions."""
    from demo_backends import DEMO_FILES

    from krbgraph.derived import refresh
    from krbgraph.loading import load_paths

    draft = tmp_path / "ontwerp.ttl"
    draft.write_text(
        "<https://krb.demogemeente.nl/id/besluitdocument/GEL-AP2035> "
        "<http://purl.org/dc/terms/replaces> "
        "<https://krb.demogemeente.nl/id/besluitdocument/GEL-AP2030> .\n",
        encoding="utf-8",
    )
    load_paths(model_store, [*DEMO_FILES, draft], validate=False)
    refresh(model_store)
    result = run_named_query(model_store, CATALOGUE, "besluitspoor", {"instrument": "GEL-N02"})
    steps = [str(row[result.variables.index("stap")]) for row in result.rows]
    assert steps[0] == "besluit"
    assert steps == sorted(steps, key=lambda step: step != "besluit")
    dates = [row[result.variables.index("besluit_datum")] for row in result.rows]
    chain = [d for s, d in zip(steps, dates, strict=True) if s != "besluit"]
    assert chain[-1] is None and None not in chain[:-1]  # the undated draft last


def test_beleidsketen_has_one_row_per_effect_and_norms_without_measure(store: Store) -> None:
    chain = rows(
        store,
        "beleidsketen",
        "maatregel_code",
        "effect_code",
        "norm_code",
        "indicator_code",
        "thema_label",
    )
    with_measure = {row for row in chain if row[0] is not None}
    assert with_measure == {
        ("BOU-M02", "BOU-E01", "BB2012-N01", "BOU-I03", "Bouwen"),
        ("BOU-M02", "BOU-E02", "WGH-N01", "GEL-I01", "Geluid"),
        ("BOU-M02", "BOU-E03", "GEZ-N02", "GEZ-I01", "Gezondheid"),
        ("BOU-M03", "BOU-E04", "GRO-N01", "GRO-I01", "Groen"),
        ("ENE-M01", "ENE-E01", "ENE-N01", "ENE-I01", "Energietransitie"),
        ("ENE-M02", "ENE-E03", "ENE-N01", "ENE-I01", "Energietransitie"),
        ("GEL-M01", "GEL-E01", "GEL-N01", "GEL-I01", "Geluid"),
        ("GEL-M01", "GEL-E02", "OV-DEMO-N01", "GEZ-I02", "Gezondheid"),
        ("GRO-M01", "GRO-E01", "GRO-N01", "GRO-I01", "Groen"),
        ("GRO-M01", "GRO-E02", "GRO-N02", "GRO-I02", "Groen"),
    }
    assert {row[2] for row in chain if row[0] is None} == {
        "BKL-N01",
        "BKL-N02",
        "BOU-N01",
        "BOU-N02",
        "BOU-N03",
        "CIR-N01",
        "CIR-N02",
        "GEL-N02",
        "GEL-N04",
        "GEZ-N01",
        "GRO-N03",
    }


def test_compleetheid_reports_what_is_missing(store: Store) -> None:
    columns = ("soort", "label", "probleem")
    assert rows(store, "compleetheid", *columns) == set()  # the demo is complete
    store.load_files({"urn:test:onvolledig": [INCOMPLETE]}, replace=True)
    try:
        assert rows(store, "compleetheid", *columns) == {
            ("beleidsindicator", "Losse indicator", "geen norm of regel"),
            ("beleidsmaatregel", "Losse maatregel", "geen beoogd effect of beoogde uitvoering"),
            ("beleidsnorm", "Losse norm", "geen indeling (sector, leefomgeving of materiaal)"),
            ("besluitdocument", "Los document", "geen besluitproces"),
        }
    finally:
        store.drop_graph("urn:test:onvolledig")


THEMES = {
    "Bouwen",
    "Circulaire economie",
    "Energietransitie",
    "Geluid",
    "Gezondheid",
    "Groen",
    "Klimaatadaptatie",
}


def test_compleet_beleid_flags_themes_without_policy_in_force_where_others_have_some(
    store: Store,
) -> None:
    columns = ("gebied_label", "thema_label", "geldend", "ontbreekt")
    # TODAY in the Parkstraat every theme has a norm or rule in force, set for the
    # street or an area it lies in, except Energietransitie: the Transitievisie
    # Warmte enters into force on 2027-01-01.
    street = rows(store, "compleet-beleid", *columns, gebied="parkstraat")
    assert street == {
        ("Parkstraat", theme, "false", "true")
        if theme == "Energietransitie"
        else ("Parkstraat", theme, "true", "false")
        for theme in THEMES
    }
    # From 2027 nothing is missing there.
    in_2027 = rows(store, "compleet-beleid", *columns, gebied="parkstraat", datum="2027-06-01")
    assert in_2027 == {("Parkstraat", theme, "true", "false") for theme in THEMES}
    # Nederland has only the national norms: Bouwen (Bouwbesluit), Geluid (Bkl, Wet
    # geluidshinder) and Gezondheid (Bkl); the municipality's policy does not reach up.
    national = rows(store, "compleet-beleid", *columns, gebied="nederland")
    assert {(theme, geldend) for _, theme, geldend, _ in national} == {
        (theme, str(theme in {"Bouwen", "Geluid", "Gezondheid"}).lower()) for theme in THEMES
    }
    # In 2005 no norm or rule of the demo was in force yet (the Wet geluidshinder's
    # Lden values date from 2007): no policy, so no gap either.
    assert rows(store, "compleet-beleid", *columns, gebied="GM9999", datum="2005-01-01") == {
        ("Demogemeente", theme, "false", "false") for theme in THEMES
    }


def test_compleet_beleid_lists_every_area_with_every_theme(store: Store) -> None:
    everything = rows(store, "compleet-beleid", "gebied", "thema", "ontbreekt")
    areas = {gebied for gebied, _, _ in everything}
    assert len(areas) == 16 and len(everything) == 16 * len(THEMES)
    gaps = {
        (gebied.rsplit("/", 1)[1], thema.rsplit("/", 1)[1])
        for gebied, thema, ontbreekt in everything
        if ontbreekt == "true"
    }
    municipal = {a.rsplit("/", 1)[1] for a in areas if a.startswith(ID)}
    above = {"nederland", "demoprovincie"}
    assert {a.rsplit("/", 1)[1] for a in areas} == municipal | above
    assert gaps == {(area, "energietransitie") for area in municipal} | {
        (area, theme)
        for area in above
        for theme in ("circulaire-economie", "energietransitie", "groen", "klimaatadaptatie")
    }


def test_codes_and_names_resolve_only_when_unambiguous(store: Store) -> None:
    with pytest.raises(ParameterError, match="no krb:Beleidsmaatregel has code or name 'XYZ'"):
        rows(store, "dwarsverbanden-maatregel", "effect", maatregel="XYZ")
    # "Geluid" names a theme and a dossier, but no measure.
    with pytest.raises(ParameterError, match="no krb:Beleidsmaatregel has code or name 'Geluid'"):
        rows(store, "dwarsverbanden-maatregel", "effect", maatregel="Geluid")
    # A CBS code resolves through skos:notation / dct:identifier.
    assert rows(store, "beleid-in-gebied", "code", gebied="GM9999") >= {("GEL-N01",)}


def test_a_name_in_other_case_or_language_resolves_when_nothing_matches_exactly(
    store: Store,
) -> None:
    # The sector concept is named "huishoudens"; the docs write "Huishoudens".
    exact = rows(store, "normen-per-indeling", "norm", begrip="huishoudens")
    assert exact
    assert rows(store, "normen-per-indeling", "norm", begrip="Huishoudens") == exact
    assert rows(store, "normen-per-indeling", "norm", begrip="HUISHOUDENS") == exact
    assert rows(store, "beleid-in-gebied", "code", gebied="gm9999") == rows(
        store, "beleid-in-gebied", "code", gebied="GM9999"
    )
    # Ignoring case finds things of the class only.
    with pytest.raises(ParameterError, match="no krb:Beleidsmaatregel has code or name 'gel-n01'"):
        rows(store, "dwarsverbanden-maatregel", "effect", maatregel="gel-n01")


def test_zoek_finds_a_thing_by_code_notation_or_dutch_name_within_its_class(
    store: Store,
) -> None:
    stuurinstrument = "https://data.krb.nl/def/krb#Stuurinstrument"
    by_code = rows(store, "zoek", "object", "label", tekst="GEL-N01", klasse=stuurinstrument)
    assert by_code == {(ID + "beleidsnorm/GEL-N01", "Geluidsdruk gevel maximaal 48 dB(A)")}
    by_name = rows(
        store,
        "zoek",
        "object",
        tekst="Geluidsdruk gevel maximaal 48 dB(A)",
        klasse=stuurinstrument,
    )
    assert by_name == {(ID + "beleidsnorm/GEL-N01",)}
    gebied = "https://data.krb.nl/def/krb#Werkingsgebied"
    assert rows(store, "zoek", "object", tekst="GM9999", klasse=gebied) != set()
    # Exact and case-sensitive; and a code outside the class finds nothing.
    assert rows(store, "zoek", "object", tekst="gel-n01", klasse=stuurinstrument) == set()
    assert rows(store, "zoek", "object", tekst="GEL-N01", klasse=gebied) == set()


INJECTIONS = [
    ("maatregel", "http://x> } ; DROP ALL ; <http://y"),
    ("maatregel", 'GEL-M01" } ; DROP ALL ; { "'),
    ("maatregel", "GEL-M01\n} DROP ALL {"),
    ("maatregel", 'GEL-M01\\" . } #'),
]


@pytest.mark.parametrize(("name", "value"), INJECTIONS)
def test_injection_attempts_are_rejected_and_change_nothing(
    store: Store, name: str, value: str
) -> None:
    before = {(g.iri, g.triples) for g in store.graphs()}
    with pytest.raises(ParameterError, match="has code or name"):
        run_named_query(store, CATALOGUE, "dwarsverbanden-maatregel", {name: value})
    assert {(g.iri, g.triples) for g in store.graphs()} == before


def test_hostile_string_is_bound_as_a_harmless_literal(store: Store) -> None:
    before = {(g.iri, g.triples) for g in store.graphs()}
    for text in ['"} ; DROP ALL ; {"', 'asfalt" } UNION { ?objecttype ?p ?o } #', "\\\n'"]:
        sparql = prepare_query(store, CATALOGUE, "zoek-objecttype", {"zoekterm": text})
        assert "DROP ALL" not in sparql.split("VALUES", 1)[0]
        assert store.query(sparql).rows == ()  # as for any text no name contains
    assert rows(store, "zoek-objecttype", "label", zoekterm="asfaltverh") == {("Asfaltverharding",)}
    assert {(g.iri, g.triples) for g in store.graphs()} == before


def test_a_named_query_binds_its_parameters_as_the_pages_do(store: Store) -> None:
    """From the API, the command line and exports a parameter is pre-bound as on the
    pages: first in every UNION branch that mentions it, where the engine starts from
    it (with one VALUES block first in the query, the indicator's UNION was evaluated
    for every indicator and hash-joined: 2.6 s instead of 5 ms at a million triples).
    The answer is the page's."""
    from krbgraph.queries import load_catalogue, prepare_query, run_named_query, run_with_terms

    catalogue = load_catalogue()
    [indicator] = store.query(
        "SELECT ?i WHERE { ?i a <https://data.krb.nl/def/krb#Beleidsindicator> ; "
        "<http://purl.org/dc/terms/identifier> 'GEL-I01' }"
    ).rows[0]
    text = prepare_query(store, catalogue, "web-indicator-metingen", {"indicator": str(indicator)})
    branches = text.split("UNION")
    assert len(branches) > 3
    assert all(f"<{indicator}>" in branch for branch in branches)
    named = run_named_query(store, catalogue, "web-indicator-metingen", {"indicator": "GEL-I01"})
    page = run_with_terms(store, catalogue["web-indicator-metingen"], {"indicator": indicator})
    assert len(named.rows) > 3
    assert sorted(map(str, named.rows)) == sorted(map(str, page.rows))


@pytest.mark.parametrize("draft", [False, True], ids=["in-force", "draft-between"])
def test_besluitspoor_dates_each_replaced_document_by_the_one_that_replaced_it(
    model_store: Store, tmp_path: Path, draft: bool
) -> None:
    """In AP2025 -> AP2030 -> AP2035, AP2025 ended when AP2030 took over; the trail of a
    norm of AP2035 gave AP2035's first day for both. With AP2030 a draft that never came
    into force, AP2025 ended when AP2035 took over (as the derived periods say), where
    the trail gave it no date."""
    from demo_backends import DEMO_FILES

    from krbgraph.derived import refresh
    from krbgraph.loading import load_paths

    doc = "https://krb.demogemeente.nl/id/besluitdocument/"
    later = tmp_path / "opvolger.ttl"
    later.write_text(
        f"<{doc}GEL-AP2035> a <https://data.krb.nl/def/krb#Besluitdocument> ;\n"
        f"  <http://purl.org/dc/terms/replaces> <{doc}GEL-AP2030> ;\n"
        "  <http://data.europa.eu/eli/ontology#first_date_entry_in_force> "
        '"2035-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
        "<https://krb.demogemeente.nl/id/beleidsnorm/X-N01> "
        f"<https://data.krb.nl/def/krb#document> <{doc}GEL-AP2035> .\n"
        + (
            f"<{doc}GEL-AP2030> <http://www.w3.org/ns/adms#status> "
            "<https://data.krb.nl/id/begrip/status/ontwerp> .\n"
            if draft
            else ""
        ),
        encoding="utf-8",
    )
    load_paths(model_store, [*DEMO_FILES, later], validate=False)
    refresh(model_store)
    started = {
        str(row["document"]).rsplit("/", 1)[1]: str(row["geldigVanaf"])
        for row in model_store.query(
            "SELECT ?document ?geldigVanaf WHERE { ?document "
            "<https://data.krb.nl/def/krb#geldigVanaf> ?geldigVanaf "
            f'FILTER (STRSTARTS(STR(?document), "{doc}GEL-AP")) }}'
        ).dicts()
    }
    result = run_named_query(
        model_store,
        CATALOGUE,
        "besluitspoor",
        {"instrument": "https://krb.demogemeente.nl/id/beleidsnorm/X-N01"},
    )
    replaced = {
        str(row["document"]).rsplit("/", 1)[1]: str(row.get("besluit_datum"))
        for row in result.dicts()
        if str(row["stap"]) == "vervangt"
    }
    ended_by = "2035-01-01" if draft else started["GEL-AP2030"]
    assert "GEL-AP2030" not in started or not draft
    assert replaced == {"GEL-AP2030": "2035-01-01", "GEL-AP2025": ended_by}
    ended = model_store.query(
        "SELECT ?tot WHERE { <" + doc + "GEL-AP2025> <https://data.krb.nl/def/krb#geldigTot> ?tot }"
    ).rows
    assert [str(row[0]) for row in ended] == [
        str(date.fromisoformat(ended_by) - timedelta(days=1))
    ], "the trail's day is the one the derived period of AP2025 ends before"


@pytest.mark.parametrize("zoekterm", ["weg", "boom", "a"])
def test_the_zoekingangen_of_an_object_type_read_in_one_order(store: Store, zoekterm: str) -> None:
    """zoek-objecttype folds an object type's zoekingangen into one cell: in the order of
    their names, so two stores with the same data give the same cell (the engine joins
    them in the order rows reach it, which differed)."""
    cells = [cell for (cell,) in rows(store, "zoek-objecttype", "zoekingangen", zoekterm=zoekterm)]
    several = [cell for cell in cells if cell and " | " in cell]
    assert several, f"some object type matching {zoekterm!r} has several zoekingangen"
    assert all(cell.split(" | ") == sorted(cell.split(" | ")) for cell in several), several


def test_a_short_iri_names_the_served_registrys_thing_when_another_base_has_one_too(
    store: Store,
) -> None:
    """A province's registry holds several municipalities' id:beleidsnorm/GEL-N01; the
    pages shorten only the served base's IRIs to id:, so that is the one it means.
    Without a served base, or with one holding neither, it stays ambiguous."""
    demo = "https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01"
    other = "https://krb.andere-gemeente.nl/id/beleidsnorm/GEL-N01"
    graph = "https://krb.andere-gemeente.nl/graph/test-short-iri"
    store.update(
        f"INSERT {{ GRAPH <{graph}> {{ <{other}> ?p ?o }} }} "
        f"WHERE {{ GRAPH ?g {{ <{demo}> ?p ?o }} }}"
    )
    values = {"instrument": "id:beleidsnorm/GEL-N01"}
    try:
        bases = (("https://krb.demogemeente.nl", demo), ("https://krb.andere-gemeente.nl", other))
        for base, meant in bases:
            token = REGISTRY_BASE.set(base)
            try:
                text = prepare_query(store, CATALOGUE, "besluitspoor", values)
            finally:
                REGISTRY_BASE.reset(token)
            (not_meant,) = {demo, other} - {meant}
            assert f"<{meant}>" in text and f"<{not_meant}>" not in text
        for base in (None, "https://krb.elders.nl"):
            token = REGISTRY_BASE.set(base)
            try:
                with pytest.raises(ParameterError, match="ambiguous") as refused:
                    prepare_query(store, CATALOGUE, "besluitspoor", values)
            finally:
                REGISTRY_BASE.reset(token)
            assert other in str(refused.value) and demo in str(refused.value)
    finally:
        store.update(f"DROP SILENT GRAPH <{graph}>")
