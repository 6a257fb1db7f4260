"""Credits endpoints of /api/v1/."""

from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthorizationError

from accounts import roles
from accounts.selectors import workspace_for
from modo import alerts, envelope
from modo.inputs import Input, state_no_nul

from . import gateways, orders, payments, selectors
from .exceptions import InvalidInput, OrderConflict
from .models import CreditPackage, Plan

router = Router(tags=["credits"])
webhooks = Router(tags=["webhooks"])


class PlanOut(Schema):
    code: str
    name: str
    description: str
    price_monthly: Decimal | None
    price_yearly: Decimal | None
    currency: str
    credits_per_cycle: int
    max_projects: int | None
    daily_generation_limit: int
    features: list[str]
    contact_us: bool


def plan_out(plan: Plan) -> dict:
    return {
        "code": plan.code, "name": plan.name, "description": plan.description,
        "price_monthly": plan.price_monthly, "price_yearly": plan.price_yearly, "currency": plan.currency,
        "credits_per_cycle": plan.credits_per_cycle, "max_projects": plan.max_projects,
        "daily_generation_limit": plan.daily_generation_limit,
        "features": [f for f in ("video", "audio", "lipsync", "upscale", "restyle", "premium_models") if plan.has_feature(f)],
        "contact_us": plan.is_contact_only,
    }


class EntryOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    amount: int
    balance_after: int
    reason: str
    reference: str
    created_at: str


class TrialOut(Schema):
    ends_at: str | None
    days_left: int
    generations_left: int
    generation_cap: int
    ended: bool


class CreditsOut(Schema):
    balance: int
    available: int
    held: int
    bonus: int
    plan: PlanOut
    plan_expires_at: str | None
    trial: TrialOut | None
    entries: list[EntryOut]


class CreditsEnvelope(Schema):
    success: bool = True
    data: CreditsOut


class PlansEnvelope(Schema):
    success: bool = True
    data: list[PlanOut]


class CostOut(Schema):
    kind: str
    variant: str
    label: str
    credits: int
    per_seconds: int | None
    max_seconds: int


class CostsEnvelope(Schema):
    success: bool = True
    data: list[CostOut]


def _package_or_plan(schema: dict) -> None:
    state_no_nul(schema)
    schema["oneOf"] = [{"required": [name], "properties": {name: {"type": "string", "minLength": 1}}}
                       for name in ("package", "plan")]


class OrderIn(Input):
    """Exactly one of `package` and `plan`."""

    model_config = {"json_schema_extra": _package_or_plan}

    package: str | None = Field(None, description="A credit package code, e.g. credits-200")
    plan: str | None = Field(None, description="A plan code, e.g. basic")
    billing_cycle: Literal["monthly", "yearly"] = "monthly"
    gateway: Literal["manual", "midtrans", "xendit", "stripe", "polar"] | None = Field(
        None, description="How to pay: manual transfer or an online gateway the admin offers (default: Midtrans "
                          "when offered, else manual)")


class OrderOut(Schema):
    id: UUID
    number: str
    status: str
    item: str
    credits: int
    amount: Decimal
    currency: str
    gateway: str
    payment_url: str
    whatsapp_url: str
    created_at: str


class OrderEnvelope(Schema):
    success: bool = True
    data: OrderOut


def _iso(value):
    return value.isoformat() if value else None


@router.get("/credits", response={200: CreditsEnvelope, **envelope.ERRORS}, summary="Balance, plan, trial and recent ledger entries")
def credits(request, limit: int = Query(10, ge=0, le=100, description="How many recent ledger entries")):
    account = selectors.credit_account_for_request(request, user=request.auth)
    trial = selectors.trial_status(account)
    entries = selectors.ledger_for(account=account)[:limit]
    return envelope.ok({
        "balance": account.balance, "available": account.available, "held": account.held,
        "bonus": account.bonus_balance, "plan": plan_out(account.plan),
        "plan_expires_at": _iso(account.plan_expires_at),
        "trial": {**trial, "ends_at": _iso(trial["ends_at"])} if trial else None,
        "entries": [
            {"public_id": e.public_id, "kind": e.kind, "amount": e.amount, "balance_after": e.balance_after,
             "reason": e.reason, "reference": e.reference, "created_at": e.created_at.isoformat()}
            for e in entries
        ],
    })


@router.get("/plans", response=PlansEnvelope, auth=None, summary="Public plans")
def plans(request):
    return envelope.ok([plan_out(p) for p in selectors.public_plans()])


@router.get("/credit-costs", response=CostsEnvelope, auth=None, summary="What each kind of generation costs")
def credit_costs(request):
    return envelope.ok(list(selectors.active_costs().values(
        "kind", "variant", "label", "credits", "per_seconds", "max_seconds")))


def order_out(order) -> dict:
    return {
        "id": order.public_id, "number": order.number, "status": order.status, "item": order.item_name,
        "credits": order.credits, "amount": order.amount, "currency": order.currency, "gateway": order.gateway,
        "payment_url": order.payment_url, "whatsapp_url": orders.whatsapp_link(order),
        "created_at": order.created_at.isoformat(),
    }


@router.post("/orders", response={201: OrderEnvelope, **envelope.ERRORS}, summary="Order a credit package or a plan")
def create_order(request, payload: OrderIn):
    if bool(payload.package) == bool(payload.plan):
        raise InvalidInput("Send either `package` or `plan`.", fields={"package": ["Send either package or plan."]})
    package = get_object_or_404(CreditPackage, code=payload.package, is_active=True) if payload.package else None
    plan = get_object_or_404(Plan, code=payload.plan, is_public=True) if payload.plan else None
    team = workspace_for(request, user=request.auth)
    if team is not None and not roles.role_allows(team.membership.role, roles.BUY):
        raise Http404
    account = selectors.credit_account_for(team=team) if team is not None else None
    order = orders.order_create(user=request.auth, package=package, plan=plan, billing_cycle=payload.billing_cycle,
                                gateway=payload.gateway, base_url=request.build_absolute_uri("/"), account=account)
    return Status(201, envelope.ok(order_out(order)))


def _webhook(code: str):
    def receive(request):
        result = payments.payment_notification_receive(gateway=code, body=request.body, headers=request.headers)
        if result.status == 403:
            alerts.event_count(kind=alerts.Kind.WEBHOOK_FORGERY, key=code,
                               evidence={"webhook": code, "last_ip": alerts.client_ip()})
            raise AuthorizationError()
        if result.status == 404:
            raise Http404
        if result.status == 409:
            raise OrderConflict()
        if result.status == 422:
            raise InvalidInput("The amount does not match the order." if result.outcome == "amount_mismatch"
                               else "The body is not a JSON object.")
        return envelope.ok({"outcome": result.outcome})

    receive.__name__ = f"{code}_webhook"
    return receive


# POST /api/v1/webhooks/<gateway>: one route per gateway (credits/payments.py does the work).
for _code in gateways.CODES:
    webhooks.post(f"/webhooks/{_code}", auth=None, include_in_schema=False, url_name=f"{_code}_webhook")(_webhook(_code))
