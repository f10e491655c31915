"""WSGI entry point for gunicorn: `gunicorn review_app.wsgi:app` (settings from DOCLOOP_*)."""

from review_app.app import create_app

app = create_app()
