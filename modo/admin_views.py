"""Admin pages outside a ModelAdmin: the analytics page, and the cost-alert box on the index.

Both are wrapped in `admin.site.admin_view` (staff only, else the admin login) and need the
`modo.view_analytics` permission (superusers have every permission)."""

from decimal import Decimal
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studio.models import Generation

from . import analytics, rollups

PERMISSION = "modo.view_analytics"
DEFAULT_DAYS = 30
# A period's report reads the daily roll-ups and what came after their watermark (a few ms of
# SQL, whatever the period holds); admins looking at it in turn share one computation a minute.
# What is cached is the report rendered (its tables and charts are ~20 ms of templates and
# formatting: most of the page's time, bench figure 5), per period and language.
REPORT_CACHE_SECONDS = 60


class PeriodForm(forms.Form):
    """`?days=7|30|90`, or `?start=YYYY-MM-DD&end=YYYY-MM-DD` (both ends included)."""

    days = forms.TypedChoiceField(
        label=gettext_lazy("Last"), required=False, coerce=int, empty_value=None,
        choices=[(7, gettext_lazy("7 days")), (30, gettext_lazy("30 days")), (90, gettext_lazy("90 days"))],
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, input_formats=["%Y-%m-%d"],
                            error_messages={"invalid": gettext_lazy("Enter the start date as YYYY-MM-DD.")})
    end = forms.DateField(label=gettext_lazy("To"), required=False, input_formats=["%Y-%m-%d"],
                          error_messages={"invalid": gettext_lazy("Enter the end date as YYYY-MM-DD.")})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if bool(start) != bool(end):
            raise forms.ValidationError(_("Give both a start and an end date, or choose 7, 30 or 90 days."))
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must be on or before the end date."))
            if (end - start).days + 1 > analytics.MAX_DAYS:
                raise forms.ValidationError(
                    _("A period can be at most %(max)s days; this one is %(days)s.")
                    % {"max": analytics.MAX_DAYS, "days": (end - start).days + 1}
                )
        return data

    def period(self) -> analytics.Period:
        data = self.cleaned_data
        if data.get("start"):
            return analytics.Period(start=data["start"], end=data["end"])
        return analytics.Period.last(data.get("days") or DEFAULT_DAYS)


def _require_permission(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def analytics_page(request):
    _require_permission(request)
    form = PeriodForm(request.GET or {"days": DEFAULT_DAYS})
    context = {
        **admin.site.each_context(request), "title": _("Analytics"), "form": form, "presets": [7, 30, 90],
        "max_days": analytics.MAX_DAYS, "today": rollups.local_day(timezone.now()), "refreshed_every": REPORT_CACHE_SECONDS,
        "time_zone": settings.TIME_ZONE,  # the roll-ups' days (modo/rollups.py), whatever the admin's own
    }
    if not form.is_valid():
        return render(request, "admin/analytics.html", context, status=400)
    period = form.period()
    context.update(period=period, report_html=report_html(period),
                   chosen_days=None if form.cleaned_data["start"] else len(period.days))
    return render(request, "admin/analytics.html", context)


def report_html(period: analytics.Period) -> str:
    """The period's report as the page shows it, in the active language: computed and rendered at
    most once a minute per period and language. Rendered without the request: the same for every
    admin who may see it (days and figures are in settings.TIME_ZONE, not the viewer's)."""
    key = f"analytics:report:{translation.get_language()}:{period.start.isoformat()}:{period.end.isoformat()}"
    html = cache.get(key)
    if html is None:
        report = analytics.period_report(period=period)
        html = render_to_string("admin/_analytics_report.html", {
            "report": report, "charts": _charts(report),
            "kind_labels": Generation.Kind.labels, "status_labels": Generation.Status.labels,
        })
        cache.set(key, html, REPORT_CACHE_SECONDS)
    return html


def with_cost_alert(index_view):
    """Wraps the admin index so it shows today's cost-alert status to those who may see analytics."""

    @wraps(index_view)
    def index(request, extra_context=None):
        if request.user.has_perm(PERMISSION):
            extra_context = {**(extra_context or {}), "cost_alert": analytics.cost_alert_status()}
        return index_view(request, extra_context)

    return index


# --- charts: geometry for inline SVG, drawn by the template -----------------------------------

WIDTH, HEIGHT = 720, 200
LEFT, BOTTOM, TOP = 44, 22, 8  # room for the axis labels
KIND_SERIES = [(kind.value, kind.label) for kind in Generation.Kind]
LATENCY_LINES = [("p50", "p50"), ("p95", "p95"), ("p99", "p99")]
CREDIT_LINES = [("spent", gettext_lazy("Spent")), ("purchased", gettext_lazy("Purchased")),
                ("granted", gettext_lazy("Granted"))]


def _nice_ceiling(value: float) -> int:
    """An axis maximum of four equal, round steps (1, 2, 2.5 or 5 × 10ⁿ, at least 1) covering `value`."""
    wanted = max(value / 4, 1)
    magnitude = 10 ** (len(str(int(wanted))) - 1)
    for multiplier in (1, 2, 2.5, 5, 10):
        step = multiplier * magnitude
        if step >= wanted and step == int(step):
            return int(4 * step)
    return 40 * magnitude


def _y_axis(top_value: float) -> tuple[float, list[dict]]:
    ceiling = _nice_ceiling(top_value)
    plot = HEIGHT - BOTTOM - TOP
    ticks = [{"y": round(TOP + plot - plot * n / 4, 1), "label": _short_number(ceiling * n / 4)} for n in range(5)]
    return ceiling, ticks


def _short_number(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _x_labels(days, slot: float) -> list[dict]:
    every = max(1, round(len(days) / 8))  # about eight dates along the axis
    return [{"x": round(LEFT + slot * (i + 0.5), 1), "label": date_format(day, "M j")}
            for i, day in enumerate(days) if i % every == 0]


def _frame(days: list[dict], slot: float) -> dict:
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "baseline": HEIGHT - BOTTOM, "tick_x": LEFT - 6,
            "date_y": HEIGHT - 6, "x_labels": _x_labels([d["day"] for d in days], slot)}


def stacked_bars(days: list[dict], series: list[tuple[str, str]], key: str) -> dict:
    """One bar per day, stacked by series (`days[i][key][series]` are the counts)."""
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(days), 1)
    ceiling, ticks = _y_axis(max((sum(d[key].values()) for d in days), default=0))
    bars = []
    for i, day in enumerate(days):
        y = TOP + plot_h
        segments = []
        for n, (name, label) in enumerate(series):
            count = day[key].get(name, 0)
            if not count:
                continue
            h = plot_h * count / ceiling
            y -= h
            segments.append({"y": round(y, 2), "h": round(h, 2), "series": n + 1,
                             "title": f"{date_format(day['day'], 'M j')} · {label}: {count}"})
        bars.append({"x": round(LEFT + slot * i + slot * 0.12, 2), "w": round(max(slot * 0.76, 1), 2),
                     "segments": segments})
    return {**_frame(days, slot), "bars": bars, "ticks": ticks,
            "legend": [{"series": n + 1, "label": label} for n, (_name, label) in enumerate(series)]}


def lines(days: list[dict], series: list[tuple[str, str]]) -> dict:
    """One polyline per series over the days (`days[i][series]` are the values). A day whose value
    is None (no requests that day, for latency) has no point: the line joins the days that have one."""
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(days), 1)
    ceiling, ticks = _y_axis(max((d[name] for d in days for name, _label in series if d[name] is not None), default=0))
    polylines = []
    for n, (name, label) in enumerate(series):
        points = [(LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * day[name] / ceiling, day)
                  for i, day in enumerate(days) if day[name] is not None]
        polylines.append({"series": n + 1, "label": label, "points": " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points),
                          "dots": [{"x": round(x, 1), "y": round(y, 1),
                                    "title": f"{date_format(day['day'], 'M j')} · {label}: {day[name]}"}
                                   for x, y, day in points] if len(days) <= 31 else []})
    return {**_frame(days, slot), "lines": polylines, "ticks": ticks,
            "legend": [{"series": p["series"], "label": p["label"]} for p in polylines]}


def share_bars(rows: list[dict]) -> dict:
    """Per model, its share of the period's vendor cost next to its share of the credits earned:
    a model whose cost share outgrows its credit share is priced too low."""
    cost = sum((r["cost"] for r in rows), Decimal(0))
    credits = sum(r["credits"] for r in rows)
    row_h, label_w, bar_w = 34, 200, WIDTH - 200 - 60
    items = []
    for i, row in enumerate(rows):
        cost_share = float(row["cost"] / cost) if cost else 0.0
        credit_share = row["credits"] / credits if credits else 0.0
        items.append({
            "y": i * row_h, "label": f"{row['model']} · {row['provider']}"[:34],
            "cost_w": round(bar_w * cost_share, 1), "credit_w": round(bar_w * credit_share, 1),
            "cost_pct": f"{cost_share:.0%}", "credit_pct": f"{credit_share:.0%}",
            "cost_x": round(label_w + bar_w * cost_share + 4, 1), "credit_x": round(label_w + bar_w * credit_share + 4, 1),
        })
    return {"width": WIDTH, "height": max(len(rows), 1) * row_h + 4, "label_w": label_w, "items": items,
            "legend": [{"series": 1, "label": _("Share of vendor cost")},
                       {"series": 3, "label": _("Share of credits earned")}]}


def _charts(report: dict) -> dict:
    return {
        "generations": stacked_bars(report["generations"]["days"], KIND_SERIES, "kinds"),
        "credits": lines(report["credits"]["days"], CREDIT_LINES),
        "models": share_bars(report["models"]["models"]),
        # A day without requests has no point (its percentiles are None), rather than one at 0 ms.
        "latency": lines(report["latency"]["days"], LATENCY_LINES),
    }
