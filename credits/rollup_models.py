"""The ledger's daily roll-ups for the analytics page (modo/rollups.py; credits/rollups.py fills
them). Imported at the end of credits/models.py, so Django knows them as credits' models.

Their rows carry no timestamps of their own: a day's rows are replaced as a whole, and its
RollupMark says when and up to what moment."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerDay(models.Model):
    """Per local day and kind of entry: the credits the entries added (`credited`, the sum of the
    positive amounts), took (`debited`, the sum of the negative ones) and how many there were."""

    day = models.DateField()
    kind = models.CharField(max_length=16)
    credited = models.BigIntegerField(default=0)
    debited = models.BigIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ledger day")
        verbose_name_plural = _("ledger days")
        # The page reads a period's days; the fill replaces one day's rows.
        constraints = [models.UniqueConstraint(fields=["day", "kind"], name="ledgerday_unique")]


class SpendDay(models.Model):
    """Per local day and account: credits charged for generations (captures) and how many charges."""

    day = models.DateField()
    account = models.ForeignKey("credits.CreditAccount", on_delete=models.CASCADE, related_name="+")
    spent = models.BigIntegerField(default=0)
    charges = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("spending day")
        verbose_name_plural = _("spending days")
        constraints = [models.UniqueConstraint(fields=["day", "account"], name="spendday_unique")]


class SpendWindow(models.Model):
    """Per account, its SpendDay rows summed over the last `days` days (7, 30 or 90, today up to
    the fill's watermark): the top spenders of a preset period are its first rows."""

    days = models.PositiveSmallIntegerField()
    account = models.ForeignKey("credits.CreditAccount", on_delete=models.CASCADE, related_name="+")
    spent = models.BigIntegerField(default=0)
    charges = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("spending window")
        verbose_name_plural = _("spending windows")
        constraints = [models.UniqueConstraint(fields=["days", "account"], name="spendwindow_unique")]
        indexes = [
            # Top spenders: the biggest first, ties by account (what the page orders by).
            models.Index(fields=["days", "-spent", "account"], name="spendwindow_top_idx"),
        ]


class TrialDay(models.Model):
    """The accounts that opened a trial on each local day (their welcome grant was a trial's)."""

    day = models.DateField()
    account = models.ForeignKey("credits.CreditAccount", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("trial day")
        verbose_name_plural = _("trial days")
        constraints = [models.UniqueConstraint(fields=["day", "account"], name="trialday_unique")]
