"""Plan periods: monthly cycles and yearly plans end on the same day of a later month."""

import calendar


def add_months(moment, months: int):
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""

    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def cycle_containing(*, started_at, next_at, now):
    """(start, end) of the monthly plan cycle `now` falls in, from an account's stored cycle
    (`cycle_started_at`, `next_cycle_at`). A cycle that fell due but that the scheduled run
    (ledger.credits_run_cycle) has not reached yet has begun all the same: it is dated from its
    due day, a month after the previous one, as the run will date it. `end` is None for a cycle
    with no next one (a trial)."""
    start, end = started_at, next_at
    while end is not None and end <= now:
        start, end = end, add_months(end, 1)
    return start, end
