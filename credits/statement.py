"""The credit history as a statement: one line per charge (a hold and its capture or release
read as one line with its state), what each line was for in the reader's language, the amount
and the balance after; the same lines as CSV.

What a charge was for comes from the caller that held the credits (`credits_hold(description=…)`);
what other entries were for, from their reason code (credits/reasons.py). Entries written before
either existed show their stored English reason."""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CreditAccount, Hold, LedgerEntry
from .reasons import reason_text

Kind = LedgerEntry.Kind

# The statement's filter (?kind=): "charge" is every AI generation's line, the others are kinds.
KINDS = [
    ("charge", gettext_lazy("AI generations")),
    (Kind.GRANT, gettext_lazy("Plan and welcome credits")),
    (Kind.PURCHASE, gettext_lazy("Purchases")),
    (Kind.BONUS, gettext_lazy("Bonus")),
    (Kind.REFUND, gettext_lazy("Refunds")),
    (Kind.ADMIN_ADJUST, gettext_lazy("Adjustments")),
    (Kind.EXPIRY, gettext_lazy("Expired credits")),
]
STATES = {Hold.Status.HELD: gettext_lazy("Pending"), Hold.Status.CAPTURED: gettext_lazy("Charged"),
          Hold.Status.RELEASED: gettext_lazy("Returned")}
STATE_CLASSES = {Hold.Status.HELD: "pending", Hold.Status.CAPTURED: "charged", Hold.Status.RELEASED: "returned"}


def month_range(month: str) -> tuple[datetime, datetime]:
    """"2026-11" → its first moment and the next month's, in the current time zone."""
    year, number = (int(part) for part in month.split("-"))
    start = timezone.make_aware(datetime(year, number, 1))
    end = timezone.make_aware(datetime(year + number // 12, number % 12 + 1, 1))
    return start, end


def statement_entries(*, account: CreditAccount, kind: str = "", month: str = "") -> QuerySet[LedgerEntry]:
    """The account's statement lines, newest first: every entry but the captures and releases of
    holds (their hold's line shows them), each with its hold and, for a settled hold, the
    balance after the settlement (a subquery: one query per page, however many lines)."""
    settled = LedgerEntry.objects.filter(hold=OuterRef("hold"), kind__in=[Kind.CAPTURE, Kind.RELEASE])
    entries = (LedgerEntry.objects.filter(account=account).exclude(kind__in=[Kind.CAPTURE, Kind.RELEASE])
               .select_related("hold", "actor").order_by("-created_at", "-id")
               .annotate(settled_balance=Subquery(settled.values("balance_after")[:1])))
    if kind == "charge":
        entries = entries.filter(kind=Kind.HOLD)
    elif kind:
        entries = entries.filter(kind=kind)
    if month:
        start, end = month_range(month)
        entries = entries.filter(created_at__gte=start, created_at__lt=end)
    return entries


@dataclass
class Line:
    entry: LedgerEntry
    description: str
    url: str
    state: str  # "", or pending / charged / returned for a charge
    state_label: str
    amount: int  # the change to the balance (a pending charge: what is reserved, negative)
    balance_after: int

    @property
    def created_at(self):
        return self.entry.created_at

    @property
    def kind_label(self) -> str:
        return _("AI generation") if self.entry.kind == Kind.HOLD else self.entry.get_kind_display()


def _charge(data: dict) -> str:
    """"Character image · Laras Wening", from the description the caller gave the hold."""
    parts = [_(data["label"]) if data.get("label") else _("AI generation")]
    if data.get("subject"):
        parts.append(str(data["subject"]))
    if data.get("detail"):
        detail = _(data["detail"])
        parts.append(detail[:1].upper() + detail[1:])
    return " · ".join(parts)


def describe(entry: LedgerEntry) -> str:
    """What the entry was for, in the active language."""
    data = entry.metadata or {}
    if entry.kind == Kind.HOLD:
        return _charge(data)
    reason = reason_text(data) or entry.reason or entry.get_kind_display()
    if entry.kind == Kind.REFUND and data.get("label"):
        return f"{reason} · {_charge(data)}"  # the charge it gives back
    return reason


def line(entry: LedgerEntry) -> Line:
    hold = entry.hold if entry.kind == Kind.HOLD else None
    url = str((entry.metadata or {}).get("url") or "")
    if not url.startswith("/"):
        url = ""  # only links inside the site
    if hold is None:
        return Line(entry, describe(entry), url, "", "", entry.amount, entry.balance_after)
    if hold.status == Hold.Status.HELD:
        amount, balance = -hold.amount, entry.balance_after
    else:
        amount = -hold.captured_amount
        balance = entry.settled_balance if entry.settled_balance is not None else entry.balance_after
    return Line(entry, describe(entry), url, STATE_CLASSES[hold.status], str(STATES[hold.status]), amount, balance)


def lines(entries: Iterable[LedgerEntry]) -> list[Line]:
    return [line(entry) for entry in entries]


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (a character named "=cmd…")."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


class _Echo:
    def write(self, value):
        return value


def csv_rows(entries: QuerySet[LedgerEntry]) -> Iterator[str]:
    """The statement as CSV text, row by row (a header first), in the active language."""
    writer = csv.writer(_Echo())
    yield writer.writerow([_("Date"), _("Kind"), _("Description"), _("State"), _("Amount"), _("Balance after"),
                           _("Reference")])
    for entry in entries.iterator(chunk_size=500):
        row = line(entry)
        yield writer.writerow([timezone.localtime(row.created_at).isoformat(timespec="seconds"), row.kind_label,
                               _cell(row.description), row.state_label, row.amount, row.balance_after,
                               _cell(entry.reference)])
