"""The project's URLs plus a stand-in for Stripe's hosted checkout page (browser tests only):
"Pay" posts the signed `checkout.session.completed` webhook to our endpoint, as Stripe would,
then sends the browser back to the session's success URL."""

import json
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
    with urllib.request.urlopen(webhook, timeout=10) as answer:
        sent["webhook_status"] = answer.status
        sent["webhook_outcome"] = json.loads(answer.read())["data"]["outcome"]
    return HttpResponseRedirect(sent["success_url"])


urlpatterns = [
    path("stripe-stub/pay/<str:session>/", stripe_checkout),
    path("", include("modo.urls")),
]
