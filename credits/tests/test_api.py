import json

import pytest

from accounts.tests.factories import bearer
from credits.exceptions import InsufficientCredits, PlanRequired, RateLimited, TrialLimit
from credits.models import Order
from modo.api import _app_error


@pytest.mark.django_db
def test_credits_shows_balance_plan_trial_and_entries(client, user):
    response = client.get("/api/v1/credits?limit=5", **bearer(user))

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["balance"], data["available"], data["held"]) == (20, 20, 0)
    assert data["plan"]["code"] == "trial"
    assert data["trial"]["generations_left"] == 2 and data["trial"]["days_left"] == 14
    assert [e["kind"] for e in data["entries"]] == ["grant"]


@pytest.mark.django_db
def test_credits_needs_authentication(client):
    assert client.get("/api/v1/credits").json()["error"] == "UNAUTHENTICATED"


@pytest.mark.django_db
def test_plans_and_costs_are_public(client):
    plans = client.get("/api/v1/plans").json()["data"]
    costs = client.get("/api/v1/credit-costs").json()["data"]

    assert [p["code"] for p in plans] == ["free", "basic", "premium", "pro", "unlimited"]
    assert next(p for p in plans if p["code"] == "pro")["contact_us"] is True
    assert {"kind": "video", "variant": "", "label": "Video up to 5 s", "credits": 25, "per_seconds": None, "max_seconds": 5} in costs


@pytest.mark.django_db
def test_order_a_package(client, user):
    response = client.post("/api/v1/orders", {"package": "credits-50"}, content_type="application/json", **bearer(user))

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["credits"] == 50 and data["status"] == "pending" and data["gateway"] == "manual"
    assert Order.objects.get().user == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "INVALID_INPUT"),
        ({"package": "credits-50", "plan": "basic"}, 422, "INVALID_INPUT"),
        ({"package": "nope"}, 404, "NOT_FOUND"),
        ({"plan": "pro"}, 422, "INVALID_INPUT"),
        ({"plan": "basic", "billing_cycle": "weekly"}, 422, "INVALID_INPUT"),
    ],
)
def test_bad_orders_are_refused_with_envelopes(client, user, body, status, code):
    response = client.post("/api/v1/orders", body, content_type="application/json", **bearer(user))

    assert response.status_code == status
    assert response.json()["error"] == code
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("error", "status", "extra"),
    [
        (InsufficientCredits(required=8, available=3), 402, {"required": 8, "available": 3}),
        (TrialLimit(), 402, {}),
        (PlanRequired(), 403, {}),
        (RateLimited(retry_after=120, limit=50), 429, {"retry_after": 120}),
    ],
)
def test_refusals_map_to_the_documented_envelopes(rf, error, status, extra):
    """The API's mapping of the ledger's and guards' refusals (used by every generation endpoint)."""
    response = _app_error(rf.get("/api/v1/x"), error)

    body = json.loads(response.content)
    assert response.status_code == status
    # `action` tells a client where the creator can go next (buy, upgrade, wait).
    assert body == {"success": False, "error": error.code, "message": error.message, "action": error.action, **extra}
    if "retry_after" in extra:
        assert response["Retry-After"] == "120"


@pytest.mark.django_db
def test_credits_limit_is_validated(client, user):
    response = client.get("/api/v1/credits?limit=500", **bearer(user))

    assert response.status_code == 422
    assert response.json()["error"] == "INVALID_INPUT"
    assert "limit" in response.json()["fields"]
