"""The project's URLs plus a stand-in for Stripe's hosted checkout page (browser tests only):
"Pay" sends the browser back to the session's success URL and, as Stripe does, posts the signed
`checkout.session.completed` webhook to our endpoint a moment later (the order page is already
waiting for it)."""

import threading
import urllib.request

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from .gateway_cases import Stripe

# Filled by the test's stubbed Stripe API: session id → what the checkout was created with.
SESSIONS: dict[str, dict] = {}


@csrf_exempt
def stripe_checkout(request, session):
    sent = SESSIONS[session]
    if request.method == "GET":
        return HttpResponse(
            f"<!doctype html><title>Stripe test checkout</title><h1>Pay {escape(sent['amount'])} "
            f"{escape(sent['currency'])}</h1><form method='post'><button id='stub-pay'>Pay</button></form>")
    body, headers = Stripe().notification(sent["order"], sent["amount"], event_id=f"evt_{session}")
    webhook = urllib.request.Request(request.build_absolute_uri("/api/v1/webhooks/stripe"), data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})

    def deliver():
        sent["delivered"].wait(timeout=10)  # once the browser is back on the order page
        urllib.request.urlopen(webhook, timeout=10).close()

    threading.Thread(target=deliver, daemon=True).start()
    return HttpResponseRedirect(sent["success_url"])


urlpatterns = [
    path("stripe-stub/pay/<str:session>/", stripe_checkout),
    path("", include("modo.urls")),
]
