"""Entry point of the KRB service: `uvicorn server:app`.

Configured by the KRB_* environment variables (see the README); `krb serve`
starts the same app with command-line options.
"""

from krbgraph.web.app import create_app

app = create_app()
