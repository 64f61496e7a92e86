"""The FastAPI application: ``create_app(settings)`` builds it; nothing is built at import."""

from __future__ import annotations


def create_app(settings=None, **kwargs):
    """See :func:`clearhold.interfaces.api.app.create_app`."""
    from clearhold.interfaces.api.app import create_app as _create_app

    return _create_app(settings, **kwargs)
