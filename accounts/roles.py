"""Staff roles. Superusers see everything; the "support" group helps creators — users, credits,
orders, jobs — and never sees AI providers or their keys."""

from django.contrib.auth.models import Group, Permission

SUPPORT = "support"
SUPPORT_PERMISSIONS = [
    "accounts.view_user",
    "credits.view_creditaccount", "credits.change_creditaccount",  # grant / deduct through the ledger
    "credits.view_ledgerentry", "credits.view_hold", "credits.view_paymentevent",
    "credits.view_order", "credits.change_order",  # mark paid / cancel
    "credits.view_plan", "credits.view_creditpackage", "credits.view_creditcost",
    "studio.view_project", "studio.view_generation", "media.view_mediaasset",
    "modo.view_contactmessage", "modo.change_contactmessage", "modo.view_analytics",
]


def roles_sync() -> Group:
    """Creates the support group or resets its permissions to the list above (idempotent)."""
    group, _ = Group.objects.get_or_create(name=SUPPORT)
    wanted = []
    for name in SUPPORT_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    group.permissions.set(wanted)
    return group
