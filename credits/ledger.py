"""The ledger: the ONLY code that changes a credit balance.

Every writer here locks the account row (`select_for_update`) for a short transaction,
re-checks its idempotency key under that lock, changes the account and appends exactly one
LedgerEntry per effect. Calling a writer twice with the same key returns the first result and
changes nothing. Nothing here calls the network, and nothing here knows what the credits are
spent on: a caller with rules of its own (its caps, a plan's limits) takes `account_lock`,
checks, and calls a writer in the same transaction.

Buckets: `balance` = bonus + cycle + purchased. Spending (capture, deduction) takes bonus
first, then this cycle's plan credits (which would expire), then purchased credits
(`_spend_split`, the one copy of that rule, computed under the lock on every database)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils import timezone

from modo import catalog

from . import notices
from .exceptions import InsufficientCredits, InvalidInput
from .models import Bucket, CreditAccount, Hold, LedgerEntry, Plan
from .periods import add_months
from .reasons import Reason
from .signals import announce

Kind = LedgerEntry.Kind


@dataclass(frozen=True)
class Split:
    """How an amount divides over the buckets."""

    bonus: int = 0
    cycle: int = 0
    purchased: int = 0


def _lock(account: CreditAccount | None = None, *, user=None, team=None, plan: bool = True) -> CreditAccount | None:
    """The account's row, locked for the open transaction (FOR UPDATE OF it alone: the plan is
    read along unless `plan` is false), found by its id, its user or its team (one account each:
    read as it comes, with no ORDER BY or LIMIT)."""
    locked = CreditAccount.objects.select_for_update(of=("self",))
    if plan:
        locked = locked.select_related("plan")
    if account is not None:
        return locked.get(pk=account.pk)
    return next(iter(locked.filter(team=team) if team is not None else locked.filter(user=user)), None)


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


def _spend_split(account: CreditAccount, amount: int) -> Split:
    """The spending rule, the only copy of it: bonus first, then this cycle's plan credits (which
    would expire), then purchased. Read from the locked account, so it is exact."""
    bonus = min(amount, account.bonus_balance)
    cycle = min(amount - bonus, account.cycle_balance)
    return Split(bonus=bonus, cycle=cycle, purchased=amount - bonus - cycle)


def _effect(account: CreditAccount, *, kind: str, key: str, amount: int = 0, held_delta: int = 0,
            split: Split = Split(), trial_use: bool = False, hold: Hold | None = None, reference=None,
            actor=None, reason: str | Reason = "", metadata: dict | None = None) -> LedgerEntry:
    """Applies one effect to the locked account (in memory) and returns its ledger entry, not yet
    written. `amount` and `split` are signed the same way (the parts sum to `amount` for entries
    that move credits); `held_delta` moves the reserved credits. The row lock makes the new values
    exact, so they are written as values, not recomputed by the database. A `Reason` is stored
    as its English sentence with its code and parameters in the metadata (read translated)."""
    if isinstance(reason, Reason):
        metadata, reason = {**(metadata or {}), **reason.metadata}, reason.english
    now = timezone.now()
    account.balance += amount
    account.bonus_balance += split.bonus
    account.cycle_balance += split.cycle
    account.held += held_delta
    account.trial_generations_used += int(trial_use)
    account.updated_at = now
    return LedgerEntry(
        account=account, kind=kind, amount=amount, held_delta=held_delta, bonus_delta=split.bonus,
        cycle_delta=split.cycle, balance_after=account.balance, bonus_after=account.bonus_balance,
        cycle_after=account.cycle_balance, held_after=account.held, hold=hold, idempotency_key=key,
        actor_id=getattr(actor, "pk", actor), reason=reason[:255], metadata=metadata or {}, created_at=now, **_reference_fields(reference))


def _append(account: CreditAccount, **effect) -> LedgerEntry:
    """Applies one effect to the locked account and records it: its new values and one entry."""
    entry = _effect(account, **effect)
    CreditAccount.objects.filter(pk=account.pk).update(**{name: getattr(account, name) for name in BALANCES})
    entry.save(force_insert=True)
    announce(account)
    return entry


# --- the hot path ------------------------------------------------------------------------------

BALANCES = ("balance", "bonus_balance", "cycle_balance", "held", "trial_generations_used", "updated_at")


@dataclass
class _Booking:
    """What one hot-path effect writes: its hold (new, or settled: `settle` holds the hold's new
    values, written only while it is still held) and its entry. `written` says whether it was."""

    hold: Hold
    entry: LedgerEntry
    settle: dict | None = None
    written: bool = False


def _book(account: CreditAccount, decide: Callable[[CreditAccount, bool], _Booking]) -> _Booking:
    """Holds, captures and releases — the ledger's hot path — in plain SQL, for bench figure 1
    (hold + capture through the ledger ≥ 50 % of its raw-SQL baseline; through the ORM it
    measured 17 %: ~10,000 Python calls of query building per pair, against ~1,200 here).

    Locks the account's row and refreshes `account`'s balances from it; `decide(account,
    is_trial)` — plain Python: the checks and the spending split, the only copy of them — applies
    the effect to `account` and returns the booking (or raises a refusal: nothing is written);
    then the hold's row (inserted unless its key exists, or settled if still held), the account's
    new values and the entry are written, the last two only with the first: one statement on
    PostgreSQL; one per row on SQLite, which has no data-modifying WITH (nor row locks: it
    serialises writers). When the hold's write changes nothing, `account` is read again."""
    db = connections[DEFAULT_DB_ALIAS]
    quote, pg = db.ops.quote_name, db.vendor == "postgresql"
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT a.balance, a.bonus_balance, a.cycle_balance, a.held, a.trial_generations_used, p.is_trial "
            f"FROM {quote(CreditAccount._meta.db_table)} a JOIN {quote(Plan._meta.db_table)} p ON p.id = a.plan_id "
            f"WHERE a.id = %s{' FOR UPDATE OF a' if pg else ''}", [account.pk])
        *balances, is_trial = cursor.fetchone()
        account.balance, account.bonus_balance, account.cycle_balance, account.held, account.trial_generations_used = \
            balances
        booking = decide(account, bool(is_trial))
        if booking.settle is None:  # a new hold
            hold_table, columns, hold_params = _row(booking.hold, add=True)
            hold_sql = (f"INSERT INTO {hold_table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
                        f"ON CONFLICT ({quote('idempotency_key')}) DO NOTHING RETURNING id")
        else:
            hold_table, columns, params = _row(Hold(**booking.settle), add=False, only=booking.settle)
            hold_sql = f"UPDATE {hold_table} SET {', '.join(f'{c} = %s' for c in columns)} WHERE id = %s AND status = %s RETURNING id"
            hold_params = [*params, booking.hold.pk, Hold.Status.HELD]
        _, account_columns, account_params = _row(account, add=False, only=BALANCES)
        account_sql = (f"UPDATE {quote(CreditAccount._meta.db_table)} SET {', '.join(f'{c} = %s' for c in account_columns)} "
                       f"WHERE id = %s")
        entry_table, entry_columns, entry_params = _row(booking.entry, add=True, but="hold_id")
        entry_sql = f"INSERT INTO {entry_table} ({', '.join([*entry_columns, quote('hold_id')])}) "
        if pg:
            cursor.execute(
                f"WITH h AS ({hold_sql}), a AS ({account_sql} AND EXISTS (SELECT 1 FROM h)) "
                f"{entry_sql} SELECT {', '.join(['%s'] * len(entry_columns))}, h.id FROM h RETURNING hold_id, id",
                [*hold_params, *account_params, account.pk, *entry_params])
            written = cursor.fetchone()
        else:
            cursor.execute(hold_sql, hold_params)
            written = cursor.fetchone()
            if written:
                cursor.execute(account_sql, [*account_params, account.pk])
                cursor.execute(entry_sql + f"VALUES ({', '.join(['%s'] * (len(entry_columns) + 1))}) RETURNING hold_id, id",
                               [*entry_params, written[0]])
                written = cursor.fetchone()
    if written:
        booking.written = True
        announce(account)
        booking.hold.pk, booking.entry.pk = written
        for obj in (booking.hold, booking.entry):
            obj._state.adding, obj._state.db = False, db.alias
    else:  # nothing changed: the account's values in memory were the effect's
        account.refresh_from_db(fields=BALANCES)
    return booking


def _row(obj, *, add: bool, only=(), but: str = "") -> tuple[str, list[str], list]:
    """`obj`'s table, and its columns and values as a save would write them (defaults and auto
    dates applied, each value through its field, but for those the driver takes as they are):
    every column but the id (and `but`), or `only`."""
    db = connections[DEFAULT_DB_ALIAS]
    table, fields, columns = _columns(type(obj), tuple(only), but)
    native = (int, str, type(None), datetime, uuid.UUID) if db.vendor == "postgresql" else (int, str, type(None))
    values = []
    for field in fields:
        value = field.pre_save(obj, add) if add else getattr(obj, field.attname)
        values.append(value if type(value) in native else field.get_db_prep_save(value, db))
    return table, columns, values


@cache
def _columns(model, only: tuple, but: str) -> tuple[str, list, list[str]]:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    if only:
        fields = [f for f in model._meta.concrete_fields if f.name in only or f.attname in only]
    else:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname != but]
    return quote(model._meta.db_table), fields, [quote(f.column) for f in fields]


def _positive(amount: int) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInput(f"Amount must be a positive whole number, not {amount!r}.")
    return amount


# --- accounts --------------------------------------------------------------------------------


def account_lock(*, account: CreditAccount | None = None, user=None, team=None) -> CreditAccount:
    """Locks the account row (given, or found by its user: one statement) for the caller's open
    transaction and returns it fresh, with its plan. A caller with rules of its own that must
    not race (a trial cap, a cap on work in progress, a daily limit, a plan's project limit) takes
    this lock, checks, then calls a writer here in the same transaction. Changes nothing, except
    that a user who has no account yet gets one opened first."""
    if account is None and user is None and team is None:
        raise TypeError("account_lock needs an account, a user or a team")
    locked = _lock(account, user=user, team=team, plan=False) or \
        _lock(credit_account_open(user=user, team=team), plan=False)
    locked.plan = _plan(locked.plan_id)
    return locked


def _plan(plan_id: int) -> Plan:
    """A plan from the configuration catalog (modo/catalog.py: kept in each process, reloaded
    within a second of a plan's change) instead of a join in every lock: bench figure 2. The
    caller's rules read it; nothing here writes it."""
    for plan in catalog.snapshot().plans:
        if plan.pk == plan_id:
            return plan
    return Plan.objects.get(pk=plan_id)  # added since the snapshot was taken


def credit_account_open(*, user=None, team=None, plan: Plan | None = None) -> CreditAccount:
    """The user's account, created on first call with the signup plan: its trial dates, its
    signup credits (ending with a trial, else bonus) and, for a non-trial plan, the first
    cycle's credits. Safe to call again: returns the existing account.

    A team's account (`team` instead of `user`) starts on the Free plan with no trial and no
    welcome credits: only the plan's cycle credits."""
    owner = {"team": team} if team is not None else {"user": user}
    existing = CreditAccount.objects.filter(**owner).select_related("plan").first()
    if existing:
        return existing
    if team is not None:
        plan = plan or Plan.objects.get(code="free")
    plan = plan or Plan.objects.filter(is_default_for_signup=True).first() or Plan.objects.get(code="free")
    now = timezone.now()
    try:
        with transaction.atomic():
            account = CreditAccount.objects.create(
                **owner,
                plan=plan,
                plan_started_at=now,
                cycle_started_at=now,
                trial_ends_at=now + timezone.timedelta(days=plan.trial_days) if plan.is_trial else None,
                next_cycle_at=None if plan.is_trial else add_months(now, 1),
            )
            if plan.signup_credits and team is None:
                # Trial credits end with the trial (cycle bucket); other welcome credits are a bonus.
                bucket = Bucket.CYCLE if plan.is_trial else Bucket.BONUS
                _append(
                    account,
                    kind=Kind.GRANT if plan.is_trial else Kind.BONUS,
                    key=f"signup:{account.public_id}",
                    amount=plan.signup_credits,
                    split=Split(**{bucket.value: plan.signup_credits}),
                    reason=Reason("welcome", plan=plan.name),
                )
            if plan.credits_per_cycle and not plan.is_trial:
                _append(
                    account,
                    kind=Kind.GRANT,
                    key=f"cycle:{account.public_id}:{now:%Y-%m-%d}",
                    amount=plan.credits_per_cycle,
                    split=Split(cycle=plan.credits_per_cycle),
                    reason=Reason("cycle_credits", plan=plan.name),
                )
    except IntegrityError:  # another request opened it first
        return CreditAccount.objects.select_related("plan").get(**owner)
    return account


# --- grants ----------------------------------------------------------------------------------


def credits_grant(
    *,
    account: CreditAccount,
    amount: int,
    idempotency_key: str,
    bucket: str = Bucket.PURCHASED,
    kind: str = Kind.GRANT,
    reason: str | Reason = "",
    reference=None,
    actor=None,
    metadata: dict | None = None,
) -> LedgerEntry:
    """Adds credits to one bucket. Idempotent per key. `metadata` may carry a `url` for the
    statement to link (an order's page)."""
    _positive(amount)
    split = Split(**{Bucket(bucket).value: amount})
    with transaction.atomic():
        account = _lock(account)
        if entry := _existing_entry(idempotency_key):
            return entry
        return _append(
            account, kind=kind, key=idempotency_key, amount=amount, split=split,
            reference=reference, actor=actor, reason=reason, metadata=metadata,
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


def credits_reverse(*, account: CreditAccount, amount: int, bucket: str, idempotency_key: str, reason: str | Reason,
                    any_bucket: bool = False, reference=None, actor=None) -> LedgerEntry | None:
    """An order refunded: takes back ≤ `amount` from `bucket` (`any_bucket`: then the others), ≤ available; once per key."""
    with transaction.atomic():
        account = _lock(account)
        if entry := _existing_entry(idempotency_key):
            return entry
        have = {"purchased": account.purchased_balance, "cycle": account.cycle_balance, "bonus": account.bonus_balance}
        left, take = min(_positive(amount), account.available), dict.fromkeys(have, 0)
        for name in sorted(have, key=lambda b: b != bucket)[:3 if any_bucket else 1]:
            take[name], left = min(left, have[name]), left - min(left, have[name])
        return _append(account, kind=Kind.ADMIN_ADJUST, key=idempotency_key, amount=-sum(take.values()), actor=actor,
                       reason=reason, split=Split(**{k: -n for k, n in take.items()}), reference=reference) if any(take.values()) else None


# --- holds -----------------------------------------------------------------------------------


def credits_hold(*, account: CreditAccount, amount: int, reference: str, idempotency_key: str,
                 description: dict | None = None, actor=None) -> Hold:
    """Reserves `amount` of the account's available credits (balance − held). Raises
    InsufficientCredits, and reserves nothing, when too little is available. The same key
    returns the same hold, whatever the account's state is now.

    `description` is what the statement says the credits are for, in the caller's words (the
    ledger does not know what a job is): `label` (English, shown translated, "Character image"),
    `subject` (shown as it is, "Laras Wening"), `detail` (English, translated, "backstory") and
    `url` (a link to the object). Kept in the hold's entry's metadata. `actor` is who asked for
    the work (a team's member): recorded on the hold's entry and, by the caller, on its capture.

    Called inside the caller's transaction (after its own checks under `account_lock`), the hold
    joins it without a savepoint, and a refusal leaves that transaction usable: nothing has been
    written when it is raised, and it is raised after the block, not through it."""
    _positive(amount)

    def decide(locked: CreditAccount, _is_trial: bool) -> _Booking:
        if locked.available < amount:
            raise InsufficientCredits(required=amount, available=locked.available)
        seen.update(account_id=locked.pk, owner_id=locked.user_id, available_before=locked.available)
        hold = Hold(account=locked, amount=amount, reference=reference[:120], idempotency_key=idempotency_key)
        return _Booking(hold, _effect(locked, kind=Kind.HOLD, key=f"hold:{hold.public_id}", held_delta=amount,
                                      hold=hold, reference=reference, metadata=description, actor=actor))

    refusal, seen = None, {}
    with transaction.atomic(savepoint=False):
        try:
            booking = _book(account, decide)
        except InsufficientCredits as exc:
            refusal, booking = exc, None
        if booking is None or not booking.written:
            # A key used before: its hold is the answer, whatever the account's state is now.
            if existing := Hold.objects.filter(idempotency_key=idempotency_key).first():
                return existing
        if booking is not None and seen:  # crossing below the creator's own threshold: credits/notices.py
            notices.credits_low_after_commit(**seen, spent=amount, actor=actor)
    if refusal is not None:
        raise refusal
    return booking.hold


def _settle(hold: Hold, status: str, spend: int, *, kind: str, metadata: dict | None = None,
            count_trial: bool = False, actor=None) -> Hold | None:
    """Moves a hold out of HELD exactly once: charges `spend` of it (by the spending rule), gives
    the rest back and books one entry. With `count_trial`, a trial account's use counter moves
    too. None if the hold was already settled (then nothing changed)."""
    now = timezone.now()
    changes = {"status": status, "captured_amount": spend, "settled_at": now, "updated_at": now}

    def decide(locked: CreditAccount, is_trial: bool) -> _Booking:
        spent = _spend_split(locked, spend)
        return _Booking(hold, _effect(
            locked, kind=kind, key=f"{kind}:{hold.public_id}", amount=-spend, held_delta=-hold.amount,
            split=Split(bonus=-spent.bonus, cycle=-spent.cycle, purchased=-spent.purchased), hold=hold,
            trial_use=count_trial and is_trial, reference=hold.reference, metadata=metadata, actor=actor),
            settle=changes)

    # Inside a caller's transaction (a text draft's, with its usage row) it joins it without a
    # savepoint: nothing here can fail but the database, which fails the whole transaction anyway.
    with transaction.atomic(savepoint=False):
        if not _book(hold.account, decide).written:
            return None
    for name, value in changes.items():
        setattr(hold, name, value)
    return hold  # with its account as the settle left it


def credits_capture(*, hold: Hold, amount: int, actor=None) -> Hold:
    """Charges `amount` (at most the hold) and releases the rest. A trial account's use counter
    (`trial_generations_used`) moves here, because a capture means the paid work was delivered.
    Capturing or releasing an already settled hold changes nothing and returns it as it is."""
    if not isinstance(amount, int) or amount < 0 or amount > hold.amount:
        raise InvalidInput(f"Capture must be between 0 and {hold.amount}, not {amount!r}.")
    settled = _settle(hold, Hold.Status.CAPTURED, amount, kind=Kind.CAPTURE, count_trial=True,
                      metadata={"held": hold.amount, "released": hold.amount - amount}, actor=actor)
    return settled or Hold.objects.get(pk=hold.pk)


def credits_release(*, hold: Hold, actor=None) -> Hold:
    """Gives the whole hold back. Idempotent: a settled hold is returned unchanged."""
    return _settle(hold, Hold.Status.RELEASED, 0, kind=Kind.RELEASE, actor=actor) or Hold.objects.get(pk=hold.pk)


def credits_refund(*, account: CreditAccount, reference: str, reason: str | Reason = "", actor=None) -> LedgerEntry | None:
    """Gives back what was charged for `reference` (what the caller held for), into the buckets it came from.
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
        # What the charge was for (the hold's description), so the statement names it here too.
        described = LedgerEntry.objects.filter(account=account, kind=Kind.HOLD, reference=reference).values_list(
            "metadata", flat=True).first() or {}
        return _append(
            account, kind=Kind.REFUND, key=key, amount=amount,
            split=Split(bonus=bonus, cycle=cycle, purchased=amount - bonus - cycle),
            reference=reference, actor=actor, reason=reason or Reason("refund"), metadata=described,
        )


# --- cycles ----------------------------------------------------------------------------------


def credits_expire_cycle(*, account: CreditAccount, cycle_key: str, reason: str | Reason = "") -> LedgerEntry | None:
    """Expires this cycle's unspent plan credits (those not reserved by an open hold).
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
            reason=reason or Reason("cycle_expired"),
        )


def account_plan_change(
    *, account: CreditAccount, plan: Plan, billing_cycle: str = "monthly", key: str, actor=None,
    reason: str | Reason = "", now=None
) -> CreditAccount:
    """Moves the account to `plan` from now: this cycle's unspent plan credits expire, the new
    plan's first cycle of credits is granted, a paid plan runs one month or one year. Once per
    `key` (the order, the lapse, the admin action)."""
    now = now or timezone.now()
    with transaction.atomic():
        account = _lock(account)
        if _existing_entry(f"planchange:{key}"):
            return account
        credits_expire_cycle(account=account, cycle_key=f"planchange:{key}",
                             reason=Reason("plan_change_expired", plan=plan.name))
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
                reason=reason or Reason("cycle_credits", plan=plan.name), metadata={"plan_change": key, "plan": plan.code},
            )
        else:
            _append(account, kind=Kind.GRANT, key=f"planchange:{key}", actor=actor,
                    reason=reason or Reason("moved_to", plan=plan.name), metadata={"plan_change": key, "plan": plan.code})
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
                reason=Reason("renewed", plan=account.plan.name, date=f"{account.plan_expires_at:%Y-%m-%d}"))
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
                                reason=Reason("plan_ended", plan=account.plan.name, free=free.name), now=now)
            return "lapsed"
        cycle_key = f"{due:%Y-%m-%d}"
        credits_expire_cycle(account=account, cycle_key=cycle_key)
        if account.plan.credits_per_cycle:
            credits_grant(
                account=account, amount=account.plan.credits_per_cycle, bucket=Bucket.CYCLE,
                idempotency_key=f"cycle:{account.public_id}:{cycle_key}",
                reason=Reason("cycle_credits", plan=account.plan.name),
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
        announce(account)
    return account


def credits_expire_trial(*, account: CreditAccount, now=None) -> LedgerEntry | None:
    """An ended trial's remaining trial credits expire (once). The account stays on the trial
    plan, locked, until the creator buys a plan or a package."""
    now = now or timezone.now()
    if not account.plan.is_trial or not account.trial_ends_at or account.trial_ends_at > now:
        return None
    return credits_expire_cycle(account=account, cycle_key="trial", reason=Reason("trial_expired"))
