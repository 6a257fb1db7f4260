"""The usage log's daily roll-ups for the analytics page (modo/rollups.py; aiproviders/rollups.py
fills them). Imported at the end of aiproviders/models.py, so Django knows them as its models.

Their rows carry no timestamps of their own: a day's rows are replaced as a whole, and its
RollupMark says when and up to what moment. Provider and model follow the usage log's own links
(set to null when one is deleted), hence no unique constraint: the fill locks the day's mark."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UsageDay(models.Model):
    """Per local day, provider, model, status and latency (answered calls only, in ms to two
    significant figures; 0 for the other statuses): how many calls and their estimated cost."""

    day = models.DateField()
    provider = models.ForeignKey("aiproviders.Provider", null=True, on_delete=models.SET_NULL, related_name="+")
    model = models.ForeignKey("aiproviders.AIModel", null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8)
    latency_bucket = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=6, default=0)

    class Meta:
        verbose_name = _("usage day")
        verbose_name_plural = _("usage days")
        indexes = [models.Index(fields=["day"], name="usageday_day_idx")]


class EarnedDay(models.Model):
    """Per local day and model: the credits captured for the calls of that model (a charge's
    reference is the reference of its successful usage-log row)."""

    day = models.DateField()
    model = models.ForeignKey("aiproviders.AIModel", null=True, on_delete=models.SET_NULL, related_name="+")
    credits = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("credits earned day")
        verbose_name_plural = _("credits earned days")
        indexes = [models.Index(fields=["day"], name="earnedday_day_idx")]
