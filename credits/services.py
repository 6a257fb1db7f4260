"""The ledger: the ONLY code that changes a credit balance.

Every writer here locks the account row (`select_for_update`) for a short transaction,
re-checks its idempotency key under that lock, changes the account and appends exactly one
LedgerEntry per effect. Capture and release do all of that in a single statement on PostgreSQL
(credits/sql.py settle_hold). Calling a writer twice with the same key returns the first result
and changes nothing. Nothing here calls the network.

Buckets: `balance` = bonus + cycle + purchased. Spending (capture, deduction) takes bonus
first, then this cycle's plan credits (which would expire), then purchased credits."""

import calendar
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from modo import rows
from modo.errors import AppError

from . import sql
from .exceptions import InsufficientCredits, InvalidInput
from .models import CreditAccount, Hold, LedgerEntry, Plan

Kind = LedgerEntry.Kind


class Bucket(models.TextChoices):
    BONUS = "bonus"
    CYCLE = "cycle"
    PURCHASED = "purchased"


@dataclass(frozen=True)
class Split:
    """How an amount divides over the buckets."""

    bonus: int = 0
    cycle: int = 0
    purchased: int = 0


def _spend_split(account: CreditAccount, amount: int) -> Split:
    bonus = min(amount, account.bonus_balance)
    cycle = min(amount - bonus, account.cycle_balance)
    return Split(bonus=bonus, cycle=cycle, purchased=amount - bonus - cycle)


def _lock(account: CreditAccount) -> CreditAccount:
    # Only the account row is locked (FOR UPDATE OF it); the plan is read along for the trial rules.
    return rows.get_row(CreditAccount, related=("plan",), where={"id": account.pk}, lock=True)


def _lock_of(user) -> CreditAccount:
    """The user's account, locked, found by its user (one statement, no read before it); opened
    first if the user has none yet."""
    locked = rows.get_row(CreditAccount, related=("plan",), where={"user_id": user.pk}, lock=True)
    return locked or _lock(credit_account_open(user=user))


def _existing_entry(key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(idempotency_key=key).first()


def _reference_fields(reference) -> dict:
    if reference is None:
        return {}
    if isinstance(reference, str):
        return {"reference": reference[:120]}
    return {
        "reference_type": ContentType.objects.get_for_model(reference),
        "reference_id": str(reference.pk),
        # What a person reads in the history (an order number); the type + id above link it.
        "reference": str(getattr(reference, "ledger_reference", f"{reference._meta.label_lower}:{reference.pk}"))[:120],
    }


def _entry(account_id, *, kind: str, key: str, amount: int, held_delta: int, now, hold: Hold | None = None,
           reference=None, actor=None, reason: str = "", metadata: dict | None = None) -> dict:
    """A ledger entry's row, but for the split and the account's new values."""
    refs = _reference_fields(reference)
    entry = {
        "public_id": uuid.uuid4(), "account_id": account_id, "kind": kind, "amount": amount, "held_delta": held_delta,
        "idempotency_key": key, "actor_id": actor.pk if actor else None, "reason": reason[:255],
        "metadata": metadata or {}, "created_at": now, "reference": refs.get("reference", ""),
        "reference_type_id": refs["reference_type"].pk if "reference_type" in refs else None,
        "reference_id": refs.get("reference_id", ""),
    }
    if hold is not None:
        entry["hold_id"] = hold.pk
    return entry


def _effect(account: CreditAccount, *, kind: str, key: str, amount: int = 0, held_delta: int = 0,
            split: Split = Split(), **entry) -> tuple[dict, dict]:
    """Applies one effect to the locked account in memory and returns (the account's new
    column values, the ledger entry's row). `amount` and `split` are signed the same way (the
    parts sum to `amount` for entries that move credits). The row lock makes them exact."""
    now = timezone.now()
    account.balance += amount
    account.bonus_balance += split.bonus
    account.cycle_balance += split.cycle
    account.held += held_delta
    account.updated_at = now
    changes = {"balance": account.balance, "bonus_balance": account.bonus_balance,
               "cycle_balance": account.cycle_balance, "held": account.held, "updated_at": now}
    row = _entry(account.pk, kind=kind, key=key, amount=amount, held_delta=held_delta, now=now, **entry)
    row.update(bonus_delta=split.bonus, cycle_delta=split.cycle, balance_after=account.balance,
               bonus_after=account.bonus_balance, cycle_after=account.cycle_balance, held_after=account.held)
    return changes, row


def _saved(model, values: dict, pk):
    """A model instance for a row just written with plain SQL (credits/sql.py)."""
    obj = model(id=pk, **values)
    obj._state.adding, obj._state.db = False, "default"
    return obj


def _append(account: CreditAccount, **effect) -> LedgerEntry:
    """Applies one effect to the locked account and records it, in one round trip."""
    changes, entry = _effect(account, **effect)
    return _saved(LedgerEntry, entry, sql.update_then_insert(CreditAccount, account.pk, changes, LedgerEntry, entry))


def _positive(amount: int) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInput(f"Amount must be a positive whole number, not {amount!r}.")
    return amount


# --- accounts --------------------------------------------------------------------------------


def account_lock(*, account: CreditAccount) -> CreditAccount:
    """Locks the account row for the caller's open transaction, to serialise a check made
    against it (e.g. a plan's project limit). Changes nothing."""
    return _lock(account)


def credit_account_open(*, user, plan: Plan | None = None) -> CreditAccount:
    """The user's account, created on first call with the signup plan: its trial dates, its
    signup credits (ending with a trial, else bonus) and, for a non-trial plan, the first
    cycle's credits. Safe to call again: returns the existing account."""
    existing = CreditAccount.objects.filter(user=user).select_related("plan").first()
    if existing:
        return existing
    plan = plan or Plan.objects.filter(is_default_for_signup=True).first() or Plan.objects.get(code="free")
    now = timezone.now()
    try:
        with transaction.atomic():
            account = CreditAccount.objects.create(
                user=user,
                plan=plan,
                plan_started_at=now,
                cycle_started_at=now,
                trial_ends_at=now + timezone.timedelta(days=plan.trial_days) if plan.is_trial else None,
                next_cycle_at=None if plan.is_trial else add_months(now, 1),
            )
            if plan.signup_credits:
                # Trial credits end with the trial (cycle bucket); other welcome credits are a bonus.
                bucket = Bucket.CYCLE if plan.is_trial else Bucket.BONUS
                _append(
                    account,
                    kind=Kind.GRANT if plan.is_trial else Kind.BONUS,
                    key=f"signup:{account.public_id}",
                    amount=plan.signup_credits,
                    split=Split(**{bucket.value: plan.signup_credits}),
                    reason=f"Welcome credits ({plan.name})",
                )
            if plan.credits_per_cycle and not plan.is_trial:
                _append(
                    account,
                    kind=Kind.GRANT,
                    key=f"cycle:{account.public_id}:{now:%Y-%m-%d}",
                    amount=plan.credits_per_cycle,
                    split=Split(cycle=plan.credits_per_cycle),
                    reason=f"{plan.name} credits for this cycle",
                )
    except IntegrityError:  # another request opened it first
        return CreditAccount.objects.select_related("plan").get(user=user)
    return account


def add_months(moment, months: int):
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""

    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


# --- grants ----------------------------------------------------------------------------------


def credits_grant(
    *,
    account: CreditAccount,
    amount: int,
    idempotency_key: str,
    bucket: str = Bucket.PURCHASED,
    kind: str = Kind.GRANT,
    reason: str = "",
    reference=None,
    actor=None,
) -> LedgerEntry:
    """Adds credits to one bucket. Idempotent per key."""
    _positive(amount)
    split = Split(**{Bucket(bucket).value: amount})
    with transaction.atomic():
        account = _lock(account)
        if entry := _existing_entry(idempotency_key):
            return entry
        return _append(
            account, kind=kind, key=idempotency_key, amount=amount, split=split,
            reference=reference, actor=actor, reason=reason,
        )


def credits_admin_adjust(*, account: CreditAccount, delta: int, reason: str, actor, idempotency_key: str | None = None) -> LedgerEntry:
    """Adds (to purchased credits, which never expire) or deducts (bonus first, like spending)
    credits by hand. A reason is required; a deduction never takes more than is available."""
    if not reason.strip():
        raise InvalidInput("A reason is required.")
    if not isinstance(delta, int) or delta == 0:
        raise InvalidInput("The change must be a non-zero whole number.")
    key = idempotency_key or f"admin:{uuid.uuid4()}"
    with transaction.atomic():
        account = _lock(account)
        if entry := _existing_entry(key):
            return entry
        if delta > 0:
            split = Split(purchased=delta)
        else:
            if -delta > account.available:
                raise InsufficientCredits(required=-delta, available=account.available)
            spent = _spend_split(account, -delta)
            split = Split(bonus=-spent.bonus, cycle=-spent.cycle, purchased=-spent.purchased)
        return _append(account, kind=Kind.ADMIN_ADJUST, key=key, amount=delta, split=split, actor=actor, reason=reason)


# --- holds -----------------------------------------------------------------------------------


def credits_hold(*, account: CreditAccount | None = None, user=None, amount: int, reference: str, idempotency_key: str,
                 is_generation: bool = False, check: Callable[[CreditAccount], None] | None = None,
                 held_by: models.Model | None = None) -> Hold:
    """Reserves `amount` of the available credits of `account` (or of `user`'s account). Raises
    InsufficientCredits (and reserves nothing) when balance − held is too small. The same key
    returns the same hold.

    With `is_generation`, a trial account's cap is checked again under the row lock, so
    concurrent requests cannot start more trial generations than the cap (TrialLimit).
    `check(account)`, when given, runs under the row lock too, before anything is written: what
    it raises (an AppError) refuses the hold like the ledger's own refusals — the caller's rules
    that must not race, such as a cap on running jobs.

    `held_by`, an unsaved object with a `hold` key (a generation job), is written by the same
    statement as the hold, pointing at it — with a new hold only: a repeated key leaves it unsaved.

    Inside a caller's transaction the hold joins it without a savepoint (it is written by one
    statement, so there is nothing partial to undo), and a refusal leaves that transaction
    usable: the refusal is raised after the block, not through it."""
    from .guards import trial_check

    _positive(amount)
    refusal = None
    with transaction.atomic(savepoint=False):
        account = _lock(account) if account is not None else _lock_of(user)
        try:
            if check is not None:
                check(account)
            if is_generation:
                trial_check(account=account)  # counts the held holds, so before this one exists
            if account.available < amount:
                raise InsufficientCredits(required=amount, available=account.available)
        except AppError as exc:
            refusal = exc
            # A repeated call is answered with its hold, whatever the account's state is now.
            existing = Hold.objects.filter(idempotency_key=idempotency_key).first()
        else:
            now = timezone.now()
            values = {"public_id": uuid.uuid4(), "account_id": account.pk, "amount": amount, "captured_amount": 0,
                      "status": Hold.Status.HELD, "reference": reference[:120], "idempotency_key": idempotency_key,
                      "settled_at": None, "created_at": now, "updated_at": now}
            changes, entry = _effect(account, kind=Kind.HOLD, key=f"hold:{values['public_id']}", held_delta=amount,
                                     reference=reference)
            dependent = (type(held_by), _unsaved_row(held_by, but="hold_id"), "hold_id") if held_by is not None else None
            # One statement: the hold (unless its key exists: then nothing happens), the account, the entry
            # (and the object held by it).
            hold_id, held_by_id = sql.insert_with_entry(Hold, values, CreditAccount, account.pk, changes, LedgerEntry,
                                                        entry, link="hold_id", unique="idempotency_key",
                                                        dependent=dependent)
            existing = Hold.objects.get(idempotency_key=idempotency_key) if hold_id is None else None
    if refusal is not None and existing is None:
        raise refusal
    if existing is not None:
        return existing
    hold = _saved(Hold, values, hold_id)
    hold.account = account
    if held_by is not None:
        held_by.pk, held_by.hold = held_by_id, hold
        held_by._state.adding, held_by._state.db = False, "default"
    return hold


def _unsaved_row(obj: models.Model, *, but: str) -> dict:
    """The column values an INSERT of `obj` writes (defaults and auto-now dates applied as a save
    applies them), by attname, without its id and `but`."""
    return {f.attname: f.pre_save(obj, add=True) for f in obj._meta.concrete_fields
            if not f.primary_key and f.attname != but}


def _settle(hold: Hold, status: str, spend: int, *, kind: str, metadata: dict | None = None,
            count_trial: bool = False) -> Hold | None:
    """Moves a hold out of HELD exactly once: charges `spend` of it (bonus first, then this
    cycle's credits, then purchased), gives the rest back and books one entry. With
    `count_trial`, a trial account's generation counter moves too. None if the hold was already
    settled (then nothing changed). On PostgreSQL one statement does it all (credits/sql.py
    settle_hold), in the caller's transaction or on its own; elsewhere, under the account's lock."""
    now = timezone.now()
    fields = {"status": status, "captured_amount": spend, "settled_at": now, "updated_at": now}
    entry = _entry(hold.account_id, kind=kind, key=f"{kind}:{hold.public_id}", amount=-spend, held_delta=-hold.amount,
                   now=now, hold=hold, reference=hold.reference, metadata=metadata)
    computed = sql.settle_hold(Hold, hold.pk, fields, Hold.Status.HELD, CreditAccount, hold.account_id, spend=spend,
                               count_trial=count_trial, now=now, entry_model=LedgerEntry, entry=entry)
    if computed is None:
        return _settle_locked(hold, status, spend, kind=kind, metadata=metadata, count_trial=count_trial)
    if not computed:
        return None
    for name, value in fields.items():
        setattr(hold, name, value)
    if Hold.account.is_cached(hold):  # the caller's copy of the account, as the statement left it
        account = hold.account
        account.balance, account.bonus_balance = computed["balance_after"], computed["bonus_after"]
        account.cycle_balance, account.held, account.updated_at = computed["cycle_after"], computed["held_after"], now
        if count_trial and CreditAccount.plan.is_cached(account) and account.plan.is_trial:
            account.trial_generations_used += 1
    return hold


def _settle_locked(hold: Hold, status: str, spend: int, *, kind: str, metadata: dict | None,
                   count_trial: bool) -> Hold | None:
    """_settle without data-modifying WITH (SQLite): lock, split, then the conditional writes."""
    with transaction.atomic():
        hold.account = account = _lock(hold.account)
        spent = _spend_split(account, spend)
        now = timezone.now()
        fields = {"status": status, "captured_amount": spend, "settled_at": now, "updated_at": now}
        before = (account.balance, account.bonus_balance, account.cycle_balance, account.held, account.updated_at)
        changes, entry = _effect(account, kind=kind, key=f"{kind}:{hold.public_id}", amount=-spend,
                                 held_delta=-hold.amount, hold=hold, reference=hold.reference, metadata=metadata,
                                 split=Split(bonus=-spent.bonus, cycle=-spent.cycle, purchased=-spent.purchased))
        if not sql.update_where(Hold, hold.pk, fields, status=Hold.Status.HELD):
            account.balance, account.bonus_balance, account.cycle_balance, account.held, account.updated_at = before
            return None
        sql.update_then_insert(CreditAccount, account.pk, changes, LedgerEntry, entry)
        if count_trial and account.plan.is_trial:
            CreditAccount.objects.filter(pk=account.pk).update(trial_generations_used=models.F("trial_generations_used") + 1)
            account.trial_generations_used += 1
    for name, value in fields.items():
        setattr(hold, name, value)
    return hold


def credits_capture(*, hold: Hold, amount: int) -> Hold:
    """Charges `amount` (at most the hold) and releases the rest. A trial account's generation
    counter moves here, because a capture means the generation succeeded. Capturing or releasing
    an already settled hold changes nothing and returns it as it is."""
    if not isinstance(amount, int) or amount < 0 or amount > hold.amount:
        raise InvalidInput(f"Capture must be between 0 and {hold.amount}, not {amount!r}.")
    settled = _settle(hold, Hold.Status.CAPTURED, amount, kind=Kind.CAPTURE, count_trial=True,
                      metadata={"held": hold.amount, "released": hold.amount - amount})
    return settled or Hold.objects.get(pk=hold.pk)


def credits_release(*, hold: Hold) -> Hold:
    """Gives the whole hold back. Idempotent: a settled hold is returned unchanged."""
    return _settle(hold, Hold.Status.RELEASED, 0, kind=Kind.RELEASE) or Hold.objects.get(pk=hold.pk)


def credits_refund(*, account: CreditAccount, reference: str, reason: str = "", actor=None) -> LedgerEntry | None:
    """Gives back what was charged for `reference` (e.g. a job), into the buckets it came from.
    Once per reference, whoever calls and however often; None if nothing was charged."""
    key = f"refund:{account.pk}:{reference}"
    with transaction.atomic():
        account = _lock(account)
        if entry := _existing_entry(key):
            return entry
        charged = LedgerEntry.objects.filter(account=account, kind=Kind.CAPTURE, reference=reference).aggregate(
            amount=models.Sum("amount"), bonus=models.Sum("bonus_delta"), cycle=models.Sum("cycle_delta")
        )
        amount = -(charged["amount"] or 0)
        if amount <= 0:
            return None
        bonus, cycle = -(charged["bonus"] or 0), -(charged["cycle"] or 0)
        return _append(
            account, kind=Kind.REFUND, key=key, amount=amount,
            split=Split(bonus=bonus, cycle=cycle, purchased=amount - bonus - cycle),
            reference=reference, actor=actor, reason=reason or "Refund",
        )


# --- cycles ----------------------------------------------------------------------------------


def credits_expire_cycle(*, account: CreditAccount, cycle_key: str, reason: str = "") -> LedgerEntry | None:
    """Expires this cycle's unspent plan credits (those not reserved by a running job).
    Once per `cycle_key`; None when there was nothing to expire."""
    key = f"expiry:{account.pk}:{cycle_key}"
    with transaction.atomic():
        account = _lock(account)
        if entry := _existing_entry(key):
            return entry
        # Held credits must stay capturable: never expire below what is reserved.
        amount = min(account.cycle_balance, account.available)
        if amount <= 0:
            return None
        return _append(
            account, kind=Kind.EXPIRY, key=key, amount=-amount, split=Split(cycle=-amount),
            reason=reason or "Unused plan credits expired at the end of the cycle",
        )


def account_plan_change(
    *, account: CreditAccount, plan: Plan, billing_cycle: str = "monthly", key: str, actor=None, reason: str = "", now=None
) -> CreditAccount:
    """Moves the account to `plan` from now: this cycle's unspent plan credits expire, the new
    plan's first cycle of credits is granted, a paid plan runs one month or one year. Once per
    `key` (the order, the lapse, the admin action)."""
    now = now or timezone.now()
    with transaction.atomic():
        account = _lock(account)
        if _existing_entry(f"planchange:{key}"):
            return account
        credits_expire_cycle(account=account, cycle_key=f"planchange:{key}", reason=f"Plan changed to {plan.name}")
        account.refresh_from_db()
        account.plan = plan
        account.billing_cycle = billing_cycle
        account.plan_started_at = account.cycle_started_at = now
        account.plan_expires_at = add_months(now, 12 if billing_cycle == "yearly" else 1) if plan.is_paid else None
        account.next_cycle_at = add_months(now, 1)
        account.trial_ends_at = None
        account.save(update_fields=[
            "plan", "billing_cycle", "plan_started_at", "cycle_started_at", "plan_expires_at", "next_cycle_at",
            "trial_ends_at", "updated_at",
        ])
        if plan.credits_per_cycle:
            _append(
                account, kind=Kind.GRANT, key=f"planchange:{key}", amount=plan.credits_per_cycle,
                split=Split(cycle=plan.credits_per_cycle), actor=actor,
                reason=reason or f"{plan.name} credits for this cycle", metadata={"plan_change": key, "plan": plan.code},
            )
        else:
            _append(account, kind=Kind.GRANT, key=f"planchange:{key}", actor=actor,
                    reason=reason or f"Moved to {plan.name}", metadata={"plan_change": key, "plan": plan.code})
    return account


def account_plan_renew(*, account: CreditAccount, billing_cycle: str, key: str, now=None) -> CreditAccount:
    """Pays for more of the plan the account already has: the paid period is extended from its
    current end, so renewing early loses no time (credits keep arriving each cycle). Once per key."""
    now = now or timezone.now()
    with transaction.atomic():
        account = _lock(account)
        if _existing_entry(f"planrenew:{key}"):
            return account
        start = max(account.plan_expires_at or now, now)
        account.plan_expires_at = add_months(start, 12 if billing_cycle == "yearly" else 1)
        account.billing_cycle = billing_cycle
        account.save(update_fields=["plan_expires_at", "billing_cycle", "updated_at"])
        _append(account, kind=Kind.GRANT, key=f"planrenew:{key}", metadata={"plan_renewal": key},
                reason=f"{account.plan.name} renewed until {account.plan_expires_at:%Y-%m-%d}")
    return account


def credits_run_cycle(*, account: CreditAccount, now=None) -> str:
    """One due cycle for one account: a lapsed paid plan goes back to Free; otherwise the last
    cycle's unspent plan credits expire and the plan's credits for the new cycle are granted.
    Idempotent per cycle date; returns what happened ("lapsed", "granted", "not due")."""
    now = now or timezone.now()
    with transaction.atomic():
        account = _lock(account)
        due = account.next_cycle_at
        if account.plan.is_trial or due is None or due > now:
            return "not due"
        if account.plan.is_paid and account.plan_expires_at and account.plan_expires_at <= now:
            free = Plan.objects.get(code="free")
            account_plan_change(account=account, plan=free, key=f"lapse:{account.pk}:{due:%Y-%m-%d}",
                                reason=f"{account.plan.name} ended; moved to {free.name}", now=now)
            return "lapsed"
        cycle_key = f"{due:%Y-%m-%d}"
        credits_expire_cycle(account=account, cycle_key=cycle_key)
        if account.plan.credits_per_cycle:
            credits_grant(
                account=account, amount=account.plan.credits_per_cycle, bucket=Bucket.CYCLE,
                idempotency_key=f"cycle:{account.public_id}:{cycle_key}",
                reason=f"{account.plan.name} credits for the cycle starting {cycle_key}",
            )
        CreditAccount.objects.filter(pk=account.pk).update(cycle_started_at=due, next_cycle_at=add_months(due, 1))
        return "granted"


def account_trial_extend(*, account: CreditAccount, days: int) -> CreditAccount:
    """Gives a trial account `days` more (from now if its trial already ended). No credits move."""
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise InvalidInput("Extend by 1 to 365 days.")
    with transaction.atomic():
        account = _lock(account)
        if not account.plan.is_trial:
            raise InvalidInput("Only a trial can be extended.")
        start = max(account.trial_ends_at or timezone.now(), timezone.now())
        account.trial_ends_at = start + timezone.timedelta(days=days)
        account.save(update_fields=["trial_ends_at", "updated_at"])
    return account


def credits_expire_trial(*, account: CreditAccount, now=None) -> LedgerEntry | None:
    """An ended trial's remaining trial credits expire (once). The account stays on the trial
    plan, locked, until the creator buys a plan or a package."""
    now = now or timezone.now()
    if not account.plan.is_trial or not account.trial_ends_at or account.trial_ends_at > now:
        return None
    return credits_expire_cycle(account=account, cycle_key="trial", reason="The free trial ended")


def credits_run_due_cycles(*, now=None, dry_run: bool = False) -> dict[str, int]:
    """Runs every due cycle (see credits_run_cycle), one account per transaction."""
    now = now or timezone.now()
    due = CreditAccount.objects.filter(next_cycle_at__lte=now, plan__is_trial=False)
    if dry_run:
        return {"due": due.count()}
    outcomes: dict[str, int] = {}
    for account in due.iterator():
        outcome = credits_run_cycle(account=account, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def credits_expire_ended_trials(*, now=None, dry_run: bool = False) -> int:
    """Expires the credits of every ended trial that still has some; returns how many."""
    now = now or timezone.now()
    ended = CreditAccount.objects.filter(
        plan__is_trial=True, trial_ends_at__lte=now, cycle_balance__gt=0, balance__gt=models.F("held")
    )
    if dry_run:
        return ended.count()
    return sum(1 for account in ended.iterator() if credits_expire_trial(account=account, now=now))
