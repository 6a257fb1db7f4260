"""Ratio math for the figures that are budgeted as multiples of a yardstick measured in the same
run (a page ÷ the minimal view, the scale set ÷ the small set, ours ÷ a peer): a busy machine
slows both sides of a ratio alike, where it moves an absolute time past its budget."""

import statistics


def ratio(numerator: float, denominator: float, digits: int = 2) -> float | None:
    """numerator ÷ denominator, rounded; None when the denominator is not positive (no yardstick)."""
    if not denominator or denominator <= 0:
        return None
    return round(numerator / denominator, digits)


def against(stats: dict, base: dict) -> dict:
    """A summary's p50 and p95 as multiples of the base summary's own p50 and p95."""
    return {"p50_x": ratio(stats["p50"], base["p50"]), "p95_x": ratio(stats["p95"], base["p95"])}


def median_rounds(rounds: list[dict], key: str) -> float:
    """The median over rounds of one statistic (each round a summary): one slow round moves it less
    than pooling the samples would."""
    return statistics.median(r[key] for r in rounds)


def within(value: float | None, budget: float, *, at_least: bool = False) -> bool:
    """A ratio against its budget (≤ by default, ≥ with at_least); a missing ratio never passes."""
    if value is None:
        return False
    return value >= budget if at_least else value <= budget
