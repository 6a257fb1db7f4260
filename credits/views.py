from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.selectors import workspace_for

from . import orders, receipts, selectors, statement
from .exceptions import CreditsError
from .forms import LedgerFilterForm, OrderForm
from .models import CreditPackage, Order, PaymentSettings, Plan

LEDGER_PAGE_SIZE = 25


LOCK_REASONS = ("trial_generations", "trial_days", "plan")


@login_required
def subscription(request):
    """The plan, the credits and the orders; with ?locked=1&reason=… also the upgrade page: why
    the creator cannot generate now (the trial's generations or days are used up, the plan lacks
    a feature), the plans and whom to ask."""
    account = selectors.credit_account_for_request(request)
    trial = selectors.trial_status(account)
    reason = request.GET.get("reason", "") if request.GET.get("locked") == "1" else ""
    if reason not in LOCK_REASONS or (reason.startswith("trial_") and not trial):
        reason = ""  # nothing is locked (any more: a plan was bought): the page as usual
    return render(request, "credits/subscription.html", {
        "account": account,
        "trial": trial,
        "lock_reason": reason,
        "payment": PaymentSettings.load() if reason else None,
        "plans": selectors.public_plans(),
        "packages": selectors.active_packages(),
        "orders": _workspace_orders(request)[:20],
        "gateways": selectors.gateways_offered(),
        "can_buy": _can_buy(request),
        "settings_tab": "subscription",
    })


def _can_buy(request) -> bool:
    team = workspace_for(request)
    return team is None or roles.role_allows(team.membership.role, roles.BUY)


def _workspace_orders(request):
    """The workspace's orders; a team's only for those who may buy for it."""
    team = workspace_for(request)
    if team is not None and not _can_buy(request):
        return selectors.orders_for(user=request.user).none()
    return selectors.orders_for(user=request.user, team=team)


def _buying_account(request):
    """The account an order is for: the user's, or their current team's when their role may buy
    for it (404 otherwise)."""
    team = workspace_for(request)
    if team is None:
        return None
    if not _can_buy(request):
        raise Http404
    return selectors.credit_account_for(team=team)


@login_required
def live(request):
    """The header's credit badge and the trial banner, fetched again when credits moved."""
    account = selectors.credit_account_for_request(request)
    return render(request, "credits/_live.html", {"account": account, "trial": selectors.trial_status(account)})


def _statement(request):
    account = selectors.credit_account_for_request(request)
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = statement.statement_entries(account=account, kind=filters.get("kind", ""), month=filters.get("month", ""))
    return account, form, entries


@login_required
def credits_history(request):
    account, form, entries = _statement(request)
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "credits/history.html", {
        "account": account, "form": form, "page": page, "lines": statement.lines(page.object_list),
        "query": query.urlencode(), "filtered": bool(form.is_valid() and any(form.cleaned_data.values())),
        "settings_tab": "credits",
    })


@login_required
def credits_history_csv(request):
    """The same lines as the page (with its filters), every page of them, as a CSV file."""
    _account, form, entries = _statement(request)
    suffix = "-".join(v for v in (form.cleaned_data.get("kind"), form.cleaned_data.get("month")) if v) \
        if form.is_valid() else ""
    response = StreamingHttpResponse(statement.csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="modo-credits{"-" + suffix if suffix else ""}.csv"'
    return response


@login_required
@require_POST
def order_create(request):
    form = OrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a credit package or a plan."))
        return redirect("credits:subscription")
    data = form.cleaned_data
    package = get_object_or_404(CreditPackage, code=data["package"], is_active=True) if data["package"] else None
    plan = get_object_or_404(Plan, code=data["plan"], is_public=True) if data["plan"] else None
    account = _buying_account(request)
    try:
        order = orders.order_create(user=request.user, package=package, plan=plan, billing_cycle=data["billing_cycle"],
                                    gateway=data["gateway"] or None, base_url=request.build_absolute_uri("/"),
                                    account=account)
    except CreditsError as exc:
        messages.error(request, exc.message)
        return redirect("credits:subscription")
    if order.payment_url:
        return redirect(order.payment_url)
    return redirect("credits:order", public_id=order.public_id)


@login_required
def order_detail(request, public_id):
    order = selectors.order_get(user=request.user, public_id=public_id)
    payment = PaymentSettings.load()
    return render(request, "credits/order.html", {
        "order": order, "payment": payment, "whatsapp_url": orders.whatsapp_link(order, payment),
        "settings_tab": "subscription",
    })


@login_required
def order_status(request, public_id):
    """The order's live part (status and outcome), polled by the order page while it waits. Once
    the order is no longer pending, htmx reloads the whole page (its payment box goes, the
    credit badge and the summary change)."""
    order = selectors.order_get(user=request.user, public_id=public_id)
    response = render(request, "credits/_order_live.html", {"order": order})
    if request.headers.get("HX-Request") and order.status != Order.Status.PENDING:
        response["HX-Refresh"] = "true"
    return response


@login_required
def receipt_detail(request, public_id):
    order, receipt = selectors.receipt_get(user=request.user, public_id=public_id)
    if receipt is None:  # not paid (yet): the order page says where it stands
        return redirect("credits:order", public_id=order.public_id)
    return render(request, "credits/receipt.html", {"order": order, "receipt": receipt, "settings_tab": "subscription"})


@login_required
def receipt_pdf(request, public_id):
    order, receipt = selectors.receipt_get(user=request.user, public_id=public_id)
    if receipt is None:
        return redirect("credits:order", public_id=order.public_id)
    response = HttpResponse(receipts.receipt_pdf(receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipts.receipt_filename(receipt)}"'
    return response


@login_required
@require_POST
def order_cancel(request, public_id):
    order = selectors.order_get(user=request.user, public_id=public_id)
    if orders.order_cancel(order=order):
        messages.success(request, _("Order %(number)s was cancelled.") % {"number": order.number})
    else:
        messages.error(request, _("Only an order awaiting payment can be cancelled."))
    return redirect("credits:subscription")


@login_required
def trial_ended(request):
    """Where older links said the trial had ended: the upgrade page, with the reason."""
    trial = selectors.trial_status(selectors.credit_account_for_request(request))
    if not trial or not trial["ended"]:
        return redirect("dashboard")
    return redirect(trial["upgrade_url"])


def pricing(request):
    """The public pricing page (/pricing/)."""
    return render(request, "site/pricing.html", {
        "plans": selectors.public_plans(),
        "packages": selectors.active_packages(),
        "costs": selectors.active_costs(),
        "trial_plan": selectors.signup_plan(),
        "gateways": selectors.gateways_offered(),
    })
