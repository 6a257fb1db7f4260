"""allauth customisation lives here, not in signals."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.utils import translation

from media import drive
from modo.errors import AppError

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account starts in the language the visitor was browsing in.
        user.locale = translation.get_language() or ""
        if user.locale not in {"en", "id"}:
            user.locale = ""
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request, user, **kwargs):
        # The one hook that runs once the creator is signed in, new or returning, with the
        # Google tokens still at hand (SOCIALACCOUNT_STORE_TOKENS is off: allauth keeps none).
        response = super().post_login(request, user, **kwargs)
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            keep_drive_tokens(request, user, sociallogin)
        return response


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        if name and not user.display_name:
            user.display_name = name[:80]
        if user.email:
            user.email = user.email.lower()
        return user


def keep_drive_tokens(request, user, sociallogin) -> None:
    """After a Google sign-in that granted drive.file, saves (encrypted) or refreshes the creator's
    Drive connection. A sign-in never fails because of Drive."""
    token = sociallogin.token
    if sociallogin.account.provider != "google" or token is None or not token.token:
        return
    # Google lists the granted scopes on its redirect back to us (a creator may untick Drive).
    # Where the request does not carry them, try anyway: a token without Drive access only
    # fails to read the account, which connection_save shrugs off.
    scopes = request.GET.get("scope")
    if scopes is not None and drive.DRIVE_SCOPE not in scopes.split():
        return
    try:
        drive.connection_save(
            user=user,
            access_token=token.token,
            refresh_token=token.token_secret,
            expires_at=token.expires_at,
            scopes=scopes or "",
        )
    except AppError as exc:
        logger.warning("Google sign-in of user %s: Drive not connected (%s)", user.pk, exc.code)
