from django import template

from ..alerts import alerts_open

register = template.Library()


@register.inclusion_tag("admin/_alerts_banner.html", takes_context=True)
def alerts_banner(context):
    """The admin's banner of unacknowledged alerts (for those who may see alerts)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.has_perm("modo.view_alert"):
        return {"alerts": [], "total": 0}
    alerts = list(alerts_open()[:5])
    total = len(alerts) if len(alerts) < 5 else alerts_open().count()
    return {"alerts": alerts, "total": total, "nonce": getattr(request, "csp_nonce", "")}
