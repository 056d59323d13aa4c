"""The HTTP face of the registry: SPARQL endpoint, linked-data pages, JSON API, web front."""
