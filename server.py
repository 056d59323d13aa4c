"""Entry point of the KRB service: `uvicorn server:app`.

Configured by the KRB_* environment variables (see the README), as `krb serve`
starts the same app with command-line options; like `krb serve`, a store folder is
run by the supervised engine unless KRB_ENGINE says otherwise (it was the embedded
one here: no runaway query stopped, an engine crash the end of the service).
"""

import os
from dataclasses import replace

from krbgraph.settings import Settings
from krbgraph.web.app import create_app

settings = Settings.from_env()
if not os.environ.get("KRB_ENGINE"):
    settings = replace(settings, engine="supervised")
app = create_app(settings)
