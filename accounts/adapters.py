"""allauth customisation lives here, not in signals (media.signin adds the Drive step to sign-in)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.utils import translation

# Where the team invitation page keeps an open invitation through sign-in or signup.
SESSION_INVITATION = "team_invitation"

from modo import alerts


def _signup_counted(request, user) -> None:
    """Many signups from one IP in a short while is an abuse pattern the superadmins hear of."""
    ip = alerts.client_ip() or (request.META.get("REMOTE_ADDR", "") if request else "")
    if ip:
        alerts.event_count(kind=alerts.Kind.SIGNUPS, key=f"ip:{ip}", evidence={"ip": ip, "last_email": user.email})


class AccountAdapter(DefaultAccountAdapter):
    def is_email_verified(self, request, email):
        # Signing up from a team invitation sent to this address: the email proved it is theirs.
        pending = request.session.get(SESSION_INVITATION) if request is not None else None
        if pending and pending.get("email", "").lower() == (email or "").lower():
            return True
        return super().is_email_verified(request, email)

    def save_user(self, request, user, form, commit=True):
        # A new account starts in the language the visitor was browsing in.
        user.locale = translation.get_language() or ""
        if user.locale not in {"en", "id"}:
            user.locale = ""
        user = super().save_user(request, user, form, commit=commit)
        _signup_counted(request, user)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        _signup_counted(request, user)
        return user

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        if name and not user.display_name:
            user.display_name = name[:80]
        if user.email:
            user.email = user.email.lower()
        return user
