"""Notifications: the in-app inbox and email (DESIGN.md §1 places them in accounts).

The apps above accounts announce things by calling these functions (they may import accounts;
accounts imports none of them):

- notification_send(user=, kind=, subject=, params=, url=, image_url=, image_asset=, unless_present=)
- presence_mark(user_id=, subject=) — "the creator is looking at this now" (a polling page)
- notifications_read_subject(user=, subject=) — the creator saw the thing itself
- credits_low_check(user=, available_before=, available_after=)
- team_invitation_sent(inviter=, email=, team_name=, invitation_id=) — its inbox entry links to the
  invitee's invitations page, never to the emailed link (whose token must not be stored)
- team_invitation_answered(user=, invitation_id=) — accepted or declined: its notification is read

and the app that keeps the files tells the email where pictures come from:

- picture_source_register(source) — source(user=, asset_id=) -> image bytes or None (pictures.py)
"""

from .pictures import picture_source_register
from .presence import presence_here, presence_mark
from .services import (
    credits_low_check,
    credits_low_crossed,
    email_undeliverable_mark,
    notification_send,
    notifications_read_subject,
    team_invitation_answered,
    team_invitation_sent,
)

__all__ = [
    "credits_low_check", "credits_low_crossed", "email_undeliverable_mark", "notification_send", "notifications_read_subject",
    "picture_source_register", "presence_here", "presence_mark", "team_invitation_answered", "team_invitation_sent",
]
