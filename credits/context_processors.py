from accounts.selectors import workspace_for

from . import selectors


def credits(request):
    """The credit badge and the trial banner of the app shell (signed-in pages only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def summary():
        # Lazy: public pages and emails never pay for it; cached for 5 minutes at most (selectors).
        return selectors.shell_summary_for_request(request)

    def trial():
        return summary()["trial"]

    def workspace():
        return workspace_for(request)

    return {"credit_account": summary, "credit_trial": trial, "current_workspace": workspace}
