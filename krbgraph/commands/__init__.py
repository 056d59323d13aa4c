"""Command families of the `krb` CLI; each module has ``register(app)``."""
