"""The checks every generation passes before credits are held. Each raises a typed CreditsError."""

from django.utils import timezone
from django.utils.translation import ngettext

from . import ratelimit
from .exceptions import InsufficientCredits, MemberCapReached, PlanRequired, RateLimited, TrialLimit
from .models import CreditAccount, Hold
from .selectors import member_usage

FEATURE_FOR_KIND = {"video": "video", "audio": "audio", "lipsync": "lipsync"}


def trial_check(*, account: CreditAccount) -> None:
    """An ended trial, or one whose generations (done or running) reached the cap, is refused."""
    plan = account.plan
    if not plan.is_trial:
        return
    if account.trial_ends_at and account.trial_ends_at <= timezone.now():
        raise TrialLimit(reason="trial_days")
    running = Hold.objects.filter(account=account, status=Hold.Status.HELD).count()
    if account.trial_generations_used + running >= (plan.trial_generation_cap or 0):
        cap = plan.trial_generation_cap or 0
        raise TrialLimit(
            ngettext(
                "You have used your %(cap)s trial generation. Choose a plan to keep creating.",
                "You have used your %(cap)s trial generations. Choose a plan to keep creating.",
                cap,
            )
            % {"cap": cap},
            reason="trial_generations",
        )


def feature_check(*, account: CreditAccount, kind: str, premium: bool = False, feature: str | None = None) -> None:
    feature = feature or FEATURE_FOR_KIND.get(kind)
    if feature and not account.plan.has_feature(feature):
        raise PlanRequired()
    if premium and not account.plan.feature_premium_models:
        raise PlanRequired()


def project_limit_check(*, account: CreditAccount, project_count: int) -> None:
    limit = account.plan.max_projects
    if limit is not None and project_count >= limit:
        raise PlanRequired(
            ngettext(
                "Your plan allows %(limit)s project. Upgrade to start another.",
                "Your plan allows %(limit)s projects. Upgrade to start another.",
                limit,
            )
            % {"limit": limit}
        )


def generation_check(*, account: CreditAccount, kind: str, cost: int, premium: bool = False, feature: str | None = None) -> None:
    """Plan feature → trial → balance → daily rate limit (counted last, so a refused request
    does not use up a slot). Raises the first refusal."""
    feature_check(account=account, kind=kind, premium=premium, feature=feature)
    trial_check(account=account)
    if account.available < cost:
        raise InsufficientCredits(required=cost, available=account.available)
    limit = account.plan.daily_generation_limit
    retry_after = ratelimit.consume(account_id=account.pk, limit=limit)
    if retry_after:
        raise RateLimited(retry_after=retry_after, limit=limit)


def member_cap_check(*, account: CreditAccount, actor, cap: int | None, cost: int) -> None:
    """A team member's cap: what they spent from the team's account in its current plan cycle
    plus what their running jobs hold (selectors.member_usage), plus `cost`, must stay within
    `cap`. Called under the account's lock (with the other guards), so concurrent requests of one
    member cannot pass it."""
    if cap is None:
        return
    used = member_usage(account=account).get(actor.pk, 0)
    if used + cost > cap:
        raise MemberCapReached(cap=cap, used=used)
