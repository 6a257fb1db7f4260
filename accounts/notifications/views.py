"""The inbox (/notifications/), the bell in the app shell, and /settings/notifications/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modo.http import is_htmx

from . import selectors, services
from .forms import NotificationSettingsForm
from .kinds import text_of

PER_PAGE = 20


@login_required
def inbox(request):
    page = Paginator(selectors.notification_inbox(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    items = [{"n": n, "text": text_of(n)} for n in page.object_list]
    return render(request, "accounts/notifications.html", {"page": page, "items": items})


@login_required
def bell(request):
    """The bell alone, for the shell's live count (htmx polls it and fetches it on events)."""
    return render(request, "accounts/_bell.html")


@login_required
@require_POST
def notification_open(request, notification_id):
    """Marks it read and goes where it points (a path on this site; else back to the inbox)."""
    notification = selectors.notification_get(user=request.user, public_id=notification_id)
    services.notification_read(user=request.user, notification=notification)
    url = notification.url if notification.url.startswith("/") and not notification.url.startswith("//") else ""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect(url or "accounts:notifications")


@login_required
@require_POST
def read_all(request):
    services.notifications_read_all(user=request.user)
    if is_htmx(request):
        response = render(request, "accounts/_bell.html")
        response["HX-Trigger"] = "notifications-changed"
        return response
    messages.success(request, _("All notifications are marked as read."))
    return redirect("accounts:notifications")


@login_required
def notification_settings(request):
    user = request.user
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            services.notification_preferences_set(user=user, channels=form.channels(),
                                                  low_credits_threshold=form.cleaned_data["low_credits_threshold"])
            messages.success(request, _("Your notification settings were saved."))
            return redirect("accounts:notification_settings")
    else:
        channels = selectors.notification_channels(user=user)
        form = NotificationSettingsForm(initial={"low_credits_threshold": user.low_credits_threshold,
                                                 **{f"kind_{k}": v for k, v in channels.items()}})
    return render(request, "accounts/notification_settings.html", {
        "form": form, "settings_tab": "notifications",
        "email_undeliverable": user.email_undeliverable_at is not None,
    })
