from accounts.selectors import workspace_for

from . import selectors


def credits(request):
    """The credit badge and the trial banner of the app shell (signed-in pages only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def account():
        # Lazy: public pages and emails never pay for the query.
        return selectors.credit_account_for_request(request)

    def trial():
        return selectors.trial_status(account())

    def workspace():
        return workspace_for(request)

    return {"credit_account": account, "credit_trial": trial, "current_workspace": workspace}
