"""What each kind of notification says, in the reader's language. A notification stores its kind
and its parameters; the words are chosen here when it is shown or emailed, so an inbox and an
email follow the reader's language, and a later translation fixes old notifications too."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ..models import Notification

Kind = Notification.Kind

# The things a job can make, as the job-finished title names them (params["what"]).
WHAT = {
    "animation": pgettext_lazy("notification", "animation"),
    "image": pgettext_lazy("notification", "image"),
    "sheet": pgettext_lazy("notification", "character sheet"),
    "moodboard": pgettext_lazy("notification", "moodboard"),
    "voice": pgettext_lazy("notification", "voice line"),
    "lipsync": pgettext_lazy("notification", "lip-sync video"),
}


@dataclass(frozen=True)
class Text:
    title: str
    body: str


def _job_finished(p: dict) -> Text:
    if p.get("what") == "animation":
        title = _("Your animation is ready!")
    else:
        title = _("Your %(what)s is ready!") % {"what": WHAT.get(p.get("what"), WHAT["image"])}
    return Text(title, _("%(name)s in “%(project)s”.") % {"name": p.get("name", ""), "project": p.get("project", "")})


def _job_failed(p: dict) -> Text:
    what = WHAT.get(p.get("what"), WHAT["image"])
    return Text(_("Your %(what)s could not be made") % {"what": what},
                _("%(name)s in “%(project)s”. Your credits were not charged.") % {
                    "name": p.get("name", ""), "project": p.get("project", "")})


def _order_paid(p: dict) -> Text:
    return Text(_("Payment received"), _("%(credits)s credits were added to your account (%(package)s).") % {
        "credits": p.get("credits", ""), "package": p.get("package", "")})


def _order_expired(p: dict) -> Text:
    return Text(_("Your order expired"), _("The order for %(package)s was not paid in time. Nothing was charged.") % {
        "package": p.get("package", "")})


def _credits_low(p: dict) -> Text:
    return Text(_("Your credits are running low"), _("%(available)s credits left, below the %(threshold)s you asked "
                                                     "to be warned at.") % {
        "available": p.get("available", ""), "threshold": p.get("threshold", "")})


def _trial_ending(p: dict) -> Text:
    return Text(_("Your trial ends in 3 days"), _("Choose a plan before %(date)s to keep creating without a break.") % {
        "date": p.get("date", "")})


def _trial_ended(p: dict) -> Text:
    return Text(_("Your trial has ended"), _("Choose a plan to keep generating. Everything you made is still yours."))


def _team_invitation(p: dict) -> Text:
    return Text(_("You are invited to a team"), _("%(inviter)s invited you to join “%(team)s”.") % {
        "inviter": p.get("inviter", ""), "team": p.get("team", "")})


def _drive_file_lost(p: dict) -> Text:
    return Text(_("A Google Drive file can no longer be opened"),
                _("“%(name)s” was moved, deleted or unshared in Google Drive. Link it again or replace it.") % {
                    "name": p.get("name", "")})


RENDERERS = {
    Kind.JOB_FINISHED: _job_finished, Kind.JOB_FAILED: _job_failed,
    Kind.ORDER_PAID: _order_paid, Kind.ORDER_EXPIRED: _order_expired,
    Kind.CREDITS_LOW: _credits_low, Kind.TRIAL_ENDING: _trial_ending, Kind.TRIAL_ENDED: _trial_ended,
    Kind.TEAM_INVITATION: _team_invitation, Kind.DRIVE_FILE_LOST: _drive_file_lost,
}


def text_of(notification: Notification) -> Text:
    """The title and the line of one notification in the active language."""
    return RENDERERS[notification.kind](notification.params or {})
