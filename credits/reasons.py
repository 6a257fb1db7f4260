"""Why credits moved, as a code and its parameters. The ledger keeps the English sentence in
`reason` (the admin and support search it) and the code + parameters in `metadata`, so the
statement shows each entry in its reader's language (credits/statement.py)."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

TEXTS = {
    "welcome": _("Welcome credits · %(plan)s"),
    "cycle_credits": _("Monthly credits · %(plan)s"),
    "moved_to": _("Moved to the %(plan)s plan"),
    "plan_ended": _("%(plan)s ended · moved to %(free)s"),
    "renewed": _("%(plan)s renewed until %(date)s"),
    "cycle_expired": _("Unused plan credits expired"),
    "plan_change_expired": _("Unused plan credits expired · moved to %(plan)s"),
    "trial_expired": _("The free trial ended: its credits expired"),
    "order": _("Credit purchase · order %(number)s"),
    "order_plan": _("%(plan)s plan · order %(number)s"),
    "trial_ended_by_order": _("Trial ended by order %(number)s · moved to %(plan)s"),
    "refund": _("Refund"),
    "order_refunded": _("Order %(number)s refunded · its credits taken back"),
}
# Parameters that name a plan: a default plan's name reads in the reader's language too.
PLAN_PARAMS = ("plan", "free")


class Reason:
    """`Reason("welcome", plan="Trial")`: what a ledger writer records for an entry."""

    def __init__(self, code: str, **params):
        if code not in TEXTS:
            raise ValueError(f"unknown ledger reason {code!r}")
        self.code = code
        self.params = {name: str(value) for name, value in params.items()}

    @property
    def english(self) -> str:
        with translation.override("en"):
            return str(TEXTS[self.code]) % self.params

    @property
    def metadata(self) -> dict:
        return {"reason": self.code, "params": self.params}


def reason_text(metadata: dict) -> str | None:
    """The entry's reason in the active language, from its metadata; None for an entry written
    before reasons had codes (its stored `reason` is shown instead)."""
    code = (metadata or {}).get("reason")
    if code not in TEXTS:
        return None
    params = dict(metadata.get("params") or {})
    for name in PLAN_PARAMS:
        if name in params:
            params[name] = pgettext("plan name", params[name])
    try:
        return str(TEXTS[code]) % params
    except (KeyError, TypeError, ValueError):
        return None
