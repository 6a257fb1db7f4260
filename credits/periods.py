"""Plan periods: monthly cycles and yearly plans end on the same day of a later month."""

import calendar


def add_months(moment, months: int):
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""

    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))
