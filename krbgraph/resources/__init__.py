"""The data krbgraph runs on, shipped inside the package.

The model (``ontology/``), the named queries (``sparql/``), the IMBOR and QUDT
extracts (``mappings/``) and the demo registry (``examples/``) live at the top of
the repository, where users and reviewers expect them. Here they are symbolic links,
so a source checkout reads the very same files, and a built wheel holds copies of
them (setuptools follows the links), so ``pip install krbgraph`` gives a ``krb``
that can validate, query and serve without a checkout. Code reaches them through
``krbgraph.model.project_root()``.
"""
