"""Beleidsonderzoek: measurements of the indicators, beside the policy.

The registry says what should be true (norms) and what is done about it
(measures with intended effects); measurements say what is. They are
sosa:Observation resources (ontology/krb.ttl, section "Beleidsonderzoek") kept in
named graphs of their own, so research data never mixes with the policy it is
compared with. ``csvrows`` reads a measurements CSV (with CBS StatLine's
conventions), ``importing`` resolves it against the registry and loads it all or
nothing. The questions asked of them (norm test, effect evaluation) are named
queries: sparql/normtoets.rq and sparql/effectevaluatie.rq.
"""
