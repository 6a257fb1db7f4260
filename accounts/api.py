"""API authentication and the account endpoints."""

from django.urls import reverse
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from modo import envelope
from modo.http import absolute_url

from . import selectors, services


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer modo_...` with a personal API token (no CSRF: not a cookie)."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        found = selectors.api_token_user(raw=token)
        if found is None:
            return None
        user, api_token = found
        services.api_token_touch(token=api_token)
        request.user = user
        request.api_token = api_token
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser session; ninja checks the CSRF token for unsafe methods."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api_auth = [BearerTokenAuth(), ActiveSessionAuth()]

router = Router(tags=["account"])


class MeOut(Schema):
    id: str
    email: str
    display_name: str
    locale: str
    timezone: str
    avatar_url: str | None
    date_joined: str


class MeEnvelope(Schema):
    success: bool = True
    data: MeOut


@router.get("/me", response={200: MeEnvelope, 401: envelope.ErrorEnvelope}, summary="The signed-in user")
def me(request):
    user = request.auth
    return envelope.ok({
        "id": str(user.public_id),
        "email": user.email,
        "display_name": user.get_full_name(),
        "locale": user.locale or "en",
        "timezone": user.timezone,
        "avatar_url": absolute_url(reverse("accounts:avatar", args=[user.public_id]), request)
        if user.avatar
        else None,
        "date_joined": user.date_joined.isoformat(),
    })
