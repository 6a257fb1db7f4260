"""Reads for accounts. Every lookup of a user's object goes through here and checks the owner."""

from django.shortcuts import get_object_or_404

from .models import ApiToken, User
from .services import TOKEN_PREFIX, token_hash


def api_token_list(*, user: User):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def api_token_get(*, user: User, public_id) -> ApiToken:
    """404 for a token that is not this user's."""
    return get_object_or_404(ApiToken, user=user, public_id=public_id)


def api_token_user(*, raw: str) -> tuple[User, ApiToken] | None:
    """The active user behind a live token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    # At most one row (the hash is unique): read as it comes, with no ORDER BY or LIMIT, on every
    # API call (bench figure 2).
    tokens = ApiToken.objects.select_related("user").filter(
        token_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True).order_by()
    token = next(iter(tokens), None)
    return (token.user, token) if token else None
