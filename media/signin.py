"""A Google sign-in that granted drive.file connects the creator's Drive.

The site's account adapter (settings.ACCOUNT_ADAPTER) is accounts' one plus this step: media
builds on accounts, so accounts needs to know nothing of Drive."""

import logging

from accounts.adapters import AccountAdapter as BaseAccountAdapter
from modo.errors import AppError

from . import drive

logger = logging.getLogger(__name__)


class AccountAdapter(BaseAccountAdapter):
    def post_login(self, request, user, **kwargs):
        # The one hook that runs once the creator is signed in, new or returning, with the
        # Google tokens still at hand (SOCIALACCOUNT_STORE_TOKENS is off: allauth keeps none).
        response = super().post_login(request, user, **kwargs)
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            keep_drive_tokens(request, user, sociallogin)
        return response


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
