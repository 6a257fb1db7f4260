"""The studio's daily roll-ups for the analytics page (modo/rollups.py; studio/rollups.py fills
them). Imported at the end of studio/models.py, so Django knows them as the studio's models.

Their rows carry no timestamps of their own: a day's rows are replaced as a whole, and its
RollupMark says when and up to what moment."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobDay(models.Model):
    """Per local day, kind and status: the jobs started (text drafts as kind "text", their
    statuses mapped onto a job's outcome)."""

    day = models.DateField()
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=10)
    jobs = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("jobs day")
        verbose_name_plural = _("jobs days")
        constraints = [models.UniqueConstraint(fields=["day", "kind", "status"], name="jobday_unique")]


class ActiveDay(models.Model):
    """The users active on each local day: who started a job or a text draft, or was charged."""

    day = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("active user day")
        verbose_name_plural = _("active user days")
        constraints = [models.UniqueConstraint(fields=["day", "user"], name="activeday_unique")]


class ActiveWindow(models.Model):
    """The users active in the last `days` days (7, 30 or 90, today up to the fill's watermark)."""

    days = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("active user window")
        verbose_name_plural = _("active user windows")
        # The page counts a window's users and looks up the few active since its watermark.
        constraints = [models.UniqueConstraint(fields=["days", "user"], name="activewindow_unique")]
