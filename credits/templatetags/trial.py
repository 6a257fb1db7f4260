"""{% signup_trial as trial_plan %}: the plan a new account starts on, when it is a trial — for
pages outside credits that sell it (the signup form) and say its terms from the plan's data."""

from django import template

from ..selectors import signup_plan

register = template.Library()


@register.simple_tag
def signup_trial():
    plan = signup_plan()
    return plan if plan is not None and plan.is_trial else None
