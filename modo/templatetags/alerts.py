from django import template

from ..alerts import alerts_banner

register = template.Library()


@register.inclusion_tag("admin/_alerts_banner.html", takes_context=True, name="alerts_banner")
def alerts_banner_tag(context):
    """The admin's banner of unacknowledged alerts (for those who may see alerts)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.has_perm("modo.view_alert"):
        return {"alerts": [], "total": 0}
    return {**alerts_banner(), "nonce": getattr(request, "csp_nonce", "")}
