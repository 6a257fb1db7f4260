"""What a generation costs, in whole credits."""

import math

from django.utils.translation import gettext as _

from modo import catalog

from .exceptions import InvalidInput


def quote(kind: str, model=None, params: dict | None = None) -> int:
    """The credit cost of one generation.

    `model` (an AI model, optional) overrides the default rules when it sets `credit_cost`; its
    `tier` picks the text variant. `params` may carry `variant` (fast / premium, t2i / i2i /
    upscale) and `duration` in seconds for video, audio and lip-sync."""
    params = params or {}
    override = getattr(model, "credit_cost", None)
    if override is not None:
        return int(override)
    variant = params.get("variant") or getattr(model, "tier", "") or ""
    rules = [r for r in catalog.snapshot().costs if r.kind == kind and r.variant in ("", variant)]
    # A rule for the exact variant beats a catch-all one.
    exact = [r for r in rules if r.variant == variant]
    rules = exact or rules
    if not rules:
        raise InvalidInput(_("No credit cost is configured for %(what)s.") % {"what": f"{kind} {variant}".strip()})
    duration = params.get("duration")
    if any(r.max_seconds or r.per_seconds for r in rules):
        if duration is None:
            raise InvalidInput(_("A duration is needed to price this."))
        duration = float(duration)
        if duration <= 0:
            raise InvalidInput(_("The duration must be positive."))
    brackets = sorted((r for r in rules if r.max_seconds), key=lambda r: r.max_seconds)
    if brackets:
        fitting = [r for r in brackets if duration <= r.max_seconds]
        if not fitting:
            raise InvalidInput(_("At most %(n)s seconds.") % {"n": brackets[-1].max_seconds})
        rule = fitting[0]
    else:
        rule = rules[0]
    if rule.per_seconds:
        return rule.credits * math.ceil(duration / rule.per_seconds)
    return rule.credits
