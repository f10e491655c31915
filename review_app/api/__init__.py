"""The JSON API under /api/v1: thin handlers over the services, one error shape everywhere."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from review_app.api import documents, errors, reviews, spec, webhooks  # noqa: E402,F401  (routes register)
