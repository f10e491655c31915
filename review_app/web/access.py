"""Role checks for the workspace: every view names the roles that may use it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from review_app.models import Role, User


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a logged-in user with one of `roles` (403 otherwise)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


REVIEWERS = (Role.REVIEWER, Role.ADMIN)
ANALYSTS = (Role.ANALYST, Role.ADMIN)
EVERYONE = (Role.REVIEWER, Role.ANALYST, Role.ADMIN)


def me() -> User:
    """The logged-in user as our model type."""
    return current_user._get_current_object()  # type: ignore[no-any-return]
