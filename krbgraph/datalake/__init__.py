"""`krb export-datalake`: the policy chain and the measurements as Parquet and CSV tables.

``export_datalake(store, folder)`` writes one folder a researcher can open in R or
pandas without SPARQL: a table per subject (named query), a data dictionary and a
DCAT description of the files. See export.py for the whole, columns.py for what
each column means, tables.py for the typed writing, catalogue.py for the DCAT
description and folder.py for the all-or-nothing folder.
"""

from .export import TABLES, ExportReport, TableReport, check_target, export_datalake
from .folder import ExportRefused
from .tables import BadValue

__all__ = [
    "TABLES",
    "BadValue",
    "ExportRefused",
    "ExportReport",
    "TableReport",
    "check_target",
    "export_datalake",
]
