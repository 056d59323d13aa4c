"""Generate a synthetic but realistic KRB registry for benchmarks.

The shape follows a large municipality: a gemeente with wijken, buurten and
straten; some twenty themes with aspects and many indicators; several norms
per indicator, classified on real IMBOR object types, sectors and materials;
documents in dossiers with their decisions; measures whose effects reach norms
of other themes (the dwarsverbanden the queries look for). Everything is drawn
from a seeded random generator, so the same seed and size give the same file.

    python bench/generate.py --triples 100000 --out bench/out/registry-100k.nt

The output conforms to the KRB model (docs/datamodel.md) so that load,
validation and query benchmarks measure realistic work.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, serialize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from krbgraph.iris import thing_iri  # noqa: E402

KRB = "https://data.krb.nl/def/krb#"
BEGRIP = "https://data.krb.nl/id/begrip/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
XSD = "http://www.w3.org/2001/XMLSchema#"

THEMES = [
    "Geluid",
    "Gezondheid",
    "Bouwen",
    "Groen",
    "Water",
    "Lucht",
    "Bodem",
    "Energie",
    "Circulaire economie",
    "Mobiliteit",
    "Verkeersveiligheid",
    "Wonen",
    "Economie",
    "Cultuurhistorie",
    "Klimaatadaptatie",
    "Biodiversiteit",
    "Spelen en sport",
    "Openbare verlichting",
    "Afval",
    "Sociaal domein",
]
UNITS = ["DeciB_A", "PERCENT", "KiloM", "M", "NUM-PER-YR", "TONNE-PER-YR", "MicroGM-PER-M3"]
OPERATORS = ["minimaal", "maximaal", "maximale-toename", "minimale-afname"]
SECTORS = ["huishoudens", "inwoners", "bedrijven", "bouw", "vervoer", "horeca", "alle"]
MATERIALS = ["gft-afval", "restafval", "aeea", "diesel", "beton", "asfalt", "glas"]
DOCUMENT_KINDS = ["beleidsplan", "actieplan", "projectplan", "omgevingsplan", "mer-rapport"]
INDICATOR_KINDS = [
    "systeemindicator",
    "effectindicator-milieu",
    "effectindicator-sociaal",
    "effectindicator-economisch",
    "transitie-indicator",
]


def nn(iri: str) -> NamedNode:
    return NamedNode(iri)


def lit(text: str) -> Literal:
    return Literal(text, language="nl")


def plain(text: str) -> Literal:
    return Literal(text)


def typed(value: str, datatype: str) -> Literal:
    return Literal(value, datatype=nn(XSD + datatype))


@dataclass(frozen=True)
class Scale:
    """Entity counts for one size; proportions stay fixed, only the factor varies."""

    factor: float

    def n(self, per_unit: float, minimum: int = 1) -> int:
        return max(minimum, round(per_unit * self.factor))


def imbor_object_types() -> list[str]:
    """Real IMBOR object type IRIs from the committed extract, sorted (deterministic)."""
    store = Store()
    store.load(
        path=str(ROOT / "mappings" / "imbor" / "imbor-leefomgeving.ttl"), format=RdfFormat.TURTLE
    )
    rows = store.query(
        "SELECT ?c WHERE { ?c <https://data.krb.nl/def/krb#imborObjecttype> true } ORDER BY ?c"
    )
    return [row["c"].value for row in rows]


def generate(factor: float, seed: int, base: str) -> Iterator[Quad]:
    """Triples of a registry of the given scale (about 10k triples per factor 1)."""
    rnd = random.Random(seed)
    scale = Scale(factor)
    object_types = imbor_object_types()

    def thing(kind: str, code: str) -> NamedNode:
        return nn(str(thing_iri(base, kind, code)))

    def t(s, p, o) -> Quad:
        return Quad(s, nn(p) if isinstance(p, str) else p, o)

    def named(s: NamedNode, cls: str, label: str, code: str) -> Iterator[Quad]:
        yield t(s, RDF_TYPE, nn(KRB + cls))
        yield t(s, RDFS_LABEL, lit(label))
        yield t(s, DCT + "identifier", plain(code))

    # --- areas: gemeente > wijken > buurten > straten ------------------------
    gemeente = thing("werkingsgebied", "GM9998")
    yield from named(gemeente, "Werkingsgebied", "Grootstad", "GM9998")
    yield t(gemeente, KRB + "gebiedssoort", nn(BEGRIP + "gebiedssoort/gemeente"))
    yield t(gemeente, SKOS + "notation", plain("GM9998"))
    areas = [gemeente]
    # CBS codes have two digits for the wijk within the gemeente and two for the
    # buurt within the wijk, so a large registry gets more buurten per wijk, not
    # more than 99 wijken (Amsterdam, the largest, has about 100).
    wanted_wijken = scale.n(3)
    n_wijken = min(99, wanted_wijken)
    buurten_per_wijk = min(99, math.ceil(8 * wanted_wijken / n_wijken))
    for w in range(n_wijken):
        wcode = f"WK9998{w:02d}"
        wijk = thing("werkingsgebied", wcode)
        yield from named(wijk, "Werkingsgebied", f"Wijk {w}", wcode)
        yield t(wijk, KRB + "gebiedssoort", nn(BEGRIP + "gebiedssoort/wijk"))
        yield t(wijk, SKOS + "notation", plain(wcode))
        yield t(wijk, KRB + "ligtIn", gemeente)
        areas.append(wijk)
        for b in range(buurten_per_wijk):
            bcode = f"BU9998{w:02d}{b:02d}"
            buurt = thing("werkingsgebied", bcode)
            yield from named(buurt, "Werkingsgebied", f"Buurt {w}-{b}", bcode)
            yield t(buurt, KRB + "gebiedssoort", nn(BEGRIP + "gebiedssoort/buurt"))
            yield t(buurt, SKOS + "notation", plain(bcode))
            yield t(buurt, KRB + "ligtIn", wijk)
            areas.append(buurt)
            for s in range(6):
                scode = f"straat-{w}-{b}-{s}"
                straat = thing("werkingsgebied", scode)
                yield from named(straat, "Werkingsgebied", f"Straat {w}-{b}-{s}", scode)
                yield t(straat, KRB + "gebiedssoort", nn(BEGRIP + "gebiedssoort/straat"))
                yield t(straat, KRB + "ligtIn", buurt)
                areas.append(straat)

    # --- themes and aspects ---------------------------------------------------
    scheme = thing("conceptschema", "beleidsthemas")
    yield t(scheme, RDF_TYPE, nn(SKOS + "ConceptScheme"))
    yield t(scheme, DCT + "title", lit("Beleidsthema's"))
    themes: list[NamedNode] = []
    aspects: dict[NamedNode, list[NamedNode]] = {}
    for name in THEMES:
        theme = thing("beleidsthema", name)
        themes.append(theme)
        yield t(theme, RDF_TYPE, nn(KRB + "Beleidsthema"))
        yield t(theme, RDF_TYPE, nn(SKOS + "Concept"))
        yield t(theme, SKOS + "prefLabel", lit(name))
        yield t(theme, SKOS + "inScheme", scheme)
        yield t(theme, SKOS + "topConceptOf", scheme)
        aspects[theme] = []
        for a in range(5):
            aspect = thing("beleidsaspect", f"{name} aspect {a}")
            aspects[theme].append(aspect)
            yield t(aspect, RDF_TYPE, nn(KRB + "Beleidsaspect"))
            yield t(aspect, RDF_TYPE, nn(SKOS + "Concept"))
            yield t(aspect, SKOS + "prefLabel", lit(f"{name} aspect {a}"))
            yield t(aspect, SKOS + "broader", theme)
            yield t(aspect, SKOS + "inScheme", scheme)

    # --- dossiers, documents, decisions --------------------------------------
    documents: list[NamedNode] = []
    for d in range(scale.n(6)):
        code = f"DOS-{d:05d}"
        dossier = thing("beleidsdossier", code)
        yield from named(dossier, "Beleidsdossier", f"Dossier {d}", code)
        yield t(dossier, KRB + "beleidsthema", rnd.choice(themes))
        for k in range(3):
            dcode = f"DOC-{d:05d}-{k}"
            doc = thing("besluitdocument", dcode)
            documents.append(doc)
            yield from named(doc, "Besluitdocument", f"Document {d}-{k}", dcode)
            yield t(
                doc,
                KRB + "documentsoort",
                nn(BEGRIP + "documentsoort/" + rnd.choice(DOCUMENT_KINDS)),
            )
            yield t(doc, DCT + "isPartOf", dossier)
            yield t(doc, KRB + "bestuurslaag", nn(BEGRIP + "bestuurslaag/gemeente"))
            day = date(2015, 1, 1) + timedelta(days=rnd.randrange(3650))
            yield t(
                doc,
                "http://data.europa.eu/eli/ontology#date_document",
                typed(day.isoformat(), "date"),
            )
            for kind in ("collegebesluit", "raadsbesluit"):
                pcode = f"{dcode}-{kind[:2].upper()}"
                proces = thing("besluitproces", pcode)
                yield from named(proces, "Besluitproces", f"{kind} {dcode}", pcode)
                yield t(proces, KRB + "besluitsoort", nn(BEGRIP + "besluitsoort/" + kind))
                yield t(proces, "http://www.w3.org/ns/prov#generated", doc)
                yield t(proces, DCT + "date", typed(day.isoformat(), "date"))
                yield t(proces, KRB + "risNummer", plain(f"RIS-{d}-{k}-{kind[:1]}"))

    # --- indicators, norms, rules --------------------------------------------
    norms_by_theme: dict[NamedNode, list[tuple[NamedNode, str]]] = {th: [] for th in themes}
    rules: list[NamedNode] = []
    n_indicators = scale.n(40)
    for i in range(n_indicators):
        theme = themes[i % len(themes)]
        code = f"IND-{i:06d}"
        ind = thing("beleidsindicator", code)
        unit = rnd.choice(UNITS)
        yield from named(ind, "Beleidsindicator", f"Indicator {i}", code)
        yield t(ind, KRB + "beleidsthema", theme)
        yield t(ind, KRB + "beleidsaspect", rnd.choice(aspects[theme]))
        yield t(
            ind,
            KRB + "indicatorsoort",
            nn(BEGRIP + "indicatorsoort/" + rnd.choice(INDICATOR_KINDS)),
        )
        yield t(ind, QUDT + "hasUnit", nn(UNIT + unit))
        for n in range(3):
            ncode = f"NRM-{i:06d}-{n}"
            norm = thing("beleidsnorm", ncode)
            norms_by_theme[theme].append((norm, unit))
            yield from named(norm, "Beleidsnorm", f"Norm {i}-{n}", ncode)
            yield t(norm, KRB + "indicator", ind)
            yield t(norm, KRB + "document", rnd.choice(documents))
            operator = rnd.choice(OPERATORS)
            yield t(norm, KRB + "operator", nn(BEGRIP + "normoperator/" + operator))
            if operator in ("maximale-toename", "minimale-afname"):
                # A change is measured from a reference situation (the shapes ask for it).
                yield t(norm, KRB + "referentiedatum", typed("2018-01-01", "date"))
            yield t(
                norm, QUDT + "numericValue", typed(f"{rnd.randrange(1, 1000) / 10:.1f}", "decimal")
            )
            yield t(norm, QUDT + "hasUnit", nn(UNIT + unit))
            yield t(norm, KRB + "werkingsgebied", rnd.choice(areas))
            yield t(norm, KRB + "bestuurslaag", nn(BEGRIP + "bestuurslaag/gemeente"))
            yield t(norm, KRB + "leefomgeving", nn(rnd.choice(object_types)))
            if rnd.random() < 0.5:
                yield t(norm, KRB + "sector", nn(BEGRIP + "sector/" + rnd.choice(SECTORS)))
            if rnd.random() < 0.3:
                yield t(norm, KRB + "materiaal", nn(BEGRIP + "materiaal/" + rnd.choice(MATERIALS)))
            if rnd.random() < 0.6:
                period = BlankNode(f"periode-{ncode}")
                start = date(2018, 1, 1) + timedelta(days=rnd.randrange(2500))
                yield t(norm, DCT + "temporal", period)
                yield t(period, RDF_TYPE, nn(DCT + "PeriodOfTime"))
                yield t(period, DCAT + "startDate", typed(start.isoformat(), "date"))
                if rnd.random() < 0.5:
                    end = start + timedelta(days=365 * rnd.randrange(1, 10))
                    yield t(period, DCAT + "endDate", typed(end.isoformat(), "date"))
        if i % 3 == 0:
            rcode = f"RGL-{i:06d}"
            rule = thing("beleidsregel", rcode)
            rules.append(rule)
            yield from named(rule, "Beleidsregel", f"Regel {i}", rcode)
            yield t(rule, KRB + "indicator", ind)
            yield t(rule, KRB + "document", rnd.choice(documents))
            yield t(rule, KRB + "werkingsgebied", rnd.choice(areas))

    # --- measures with effects across themes ----------------------------------
    for m in range(scale.n(30)):
        theme = rnd.choice(themes)
        code = f"MTR-{m:06d}"
        measure = thing("beleidsmaatregel", code)
        cls = "MerMaatregel" if rnd.random() < 0.1 else "Beleidsmaatregel"
        yield from named(measure, cls, f"Maatregel {m}", code)
        yield t(measure, KRB + "beleidsthema", theme)
        yield t(measure, KRB + "document", rnd.choice(documents))
        area = rnd.choice(areas)
        yield t(measure, KRB + "werkingsgebied", area)
        for e in range(rnd.randrange(1, 5)):
            # 60% of effects stay in the measure's theme, 40% cross to another
            target_theme = theme if rnd.random() < 0.6 else rnd.choice(themes)
            if not norms_by_theme[target_theme]:
                continue
            norm, unit = rnd.choice(norms_by_theme[target_theme])
            ecode = f"EFF-{m:06d}-{e}"
            effect = thing("beoogd-effect", ecode)
            yield from named(effect, "BeoogdEffect", f"Effect {m}-{e}", ecode)
            yield t(effect, KRB + "maatregel", measure)
            yield t(effect, KRB + "norm", norm)
            yield t(
                effect, QUDT + "numericValue", typed(f"-{rnd.randrange(1, 50) / 10:.1f}", "decimal")
            )
            yield t(effect, QUDT + "hasUnit", nn(UNIT + unit))
            yield t(effect, KRB + "werkingsgebied", area)
        if rules and rnd.random() < 0.3:
            ucode = f"UIT-{m:06d}"
            uitvoering = thing("beoogde-uitvoering", ucode)
            yield from named(uitvoering, "BeoogdeUitvoering", f"Uitvoering {m}", ucode)
            yield t(uitvoering, KRB + "maatregel", measure)
            yield t(uitvoering, KRB + "regel", rnd.choice(rules))


def factor_for(triples: int, seed: int, base: str) -> float:
    """The scale factor that gives about `triples` triples.

    Size grows linearly with the factor apart from a fixed part (themes,
    aspects), so two probes pin the line down.
    """
    small = sum(1 for _ in generate(1.0, seed, base))
    large = sum(1 for _ in generate(4.0, seed, base))
    per_factor = (large - small) / 3.0
    fixed = small - per_factor
    return max(0.05, (triples - fixed) / per_factor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10_000, help="approximate size")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--base-iri", default="https://krb.grootstad.nl")
    parser.add_argument("--out", type=Path, required=True, help="N-Triples file to write")
    args = parser.parse_args(argv)
    factor = factor_for(args.triples, args.seed, args.base_iri)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    quads = list(generate(factor, args.seed, args.base_iri))
    triples = [q.triple for q in quads]
    tmp = args.out.with_suffix(args.out.suffix + ".tmp")
    serialize(triples, str(tmp), RdfFormat.N_TRIPLES)
    tmp.replace(args.out)
    print(f"{args.out}: {len(triples)} triples (factor {factor:.2f}, seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
