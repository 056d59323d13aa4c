"""Another municipality's things in a shared store, with the codes of the demo's own.

A province or a national store holds several municipalities' registries: their
indicators, data sources and areas may share codes with the demo's. Imported by the
tests of what a code that fits several things does (test_metingen_import_ambiguity,
test_excel_metingen_shared_codes).
"""

from __future__ import annotations

BASE = "https://krb.demogemeente.nl"
OTHER = "https://krb.zzz.nl"
OTHER_I01 = f"{OTHER}/id/beleidsindicator/GEL-I01"
OTHER_SOURCE = f"{OTHER}/id/databron/geluidmeetnet"

PREFIXES = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix thema: <{BASE}/id/beleidsthema/> .
@prefix aspect: <{BASE}/id/beleidsaspect/> .
@prefix afdeling: <{BASE}/id/afdeling/> .
@prefix soort: <https://data.krb.nl/id/begrip/indicatorsoort/> .
@prefix gebiedssoort: <https://data.krb.nl/id/begrip/gebiedssoort/> .
"""

INDICATOR_AND_SOURCE = f"""
<{OTHER_I01}> a krb:Beleidsindicator ;
    rdfs:label "Geluidsdruk gevel (andere gemeente)"@nl ;
    dct:identifier "GEL-I01" ;
    krb:beleidsthema thema:geluid ; krb:beleidsaspect aspect:geluid-verkeer ;
    krb:indicatorsoort soort:effectindicator-milieu ;
    qudt:hasUnit unit:DeciB_A ; dct:description "Lden elders."@nl ;
    krb:afdeling afdeling:milieu .

<{OTHER_SOURCE}> a dcat:Dataset ;
    rdfs:label "Geluidmeetnet andere gemeente"@nl ;
    dct:identifier "geluidmeetnet" ;
    dct:publisher afdeling:milieu ;
    krb:gemetenIndicator <{OTHER_I01}> .
"""
"""Another municipality's indicator GEL-I01 and its data source `geluidmeetnet`."""
