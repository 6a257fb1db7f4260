"""Layout checks a person would notice: toasts never hide the trial banner's button, and every
bible section's tab can be reached at a phone's and a desktop's width."""

import os
import re

import pytest
from django.core import mail

from accounts.tests.factories import PASSWORD, log_in
from modo.tests import tour

pytestmark = pytest.mark.browser


def _overlap(a, b) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("width", [1280, 390])
def test_signup_toasts_do_not_cover_the_trial_banner_button(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/auth/?tab=register")
    page.fill("#signup-form input[name=email]", "rina@example.com")
    page.fill("#signup-form input[name=password1]", PASSWORD)
    page.fill("#signup-form input[name=password2]", PASSWORD)
    page.click("#signup-form [type=submit]")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/$"))

    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], f"{width}-signup-toasts.png"))
    button = page.locator("#trial-banner .app-banner__action").bounding_box()
    toasts = page.locator(".toast")
    assert toasts.count() >= 1
    for i in range(toasts.count()):
        assert not _overlap(toasts.nth(i).bounding_box(), button), f"toast {i} covers the banner's button"


@pytest.mark.parametrize("width", [1280, 390])
def test_every_section_tab_can_be_seen(page, live_server, width):
    email, project = tour.demo_creator()
    log_in(page, email)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/studio/{project.public_id}/scenes/")

    nav = page.locator(".project-nav")
    box = nav.bounding_box()
    tabs = nav.locator("a")
    assert tabs.count() == 11  # the sections, the gallery, restyle, publish and the trash
    if width >= 640:  # the tabs wrap: all of them inside the bar
        for i in range(tabs.count()):
            tab = tabs.nth(i).bounding_box()
            assert box["x"] <= tab["x"] and tab["x"] + tab["width"] <= box["x"] + box["width"] + 0.5
    else:  # the bar scrolls, shows it with edge shadows, and reaches the last tab
        assert nav.evaluate("n => n.scrollWidth > n.clientWidth")
        assert "radial-gradient" in nav.evaluate("n => getComputedStyle(n).backgroundImage")
        tabs.last.scroll_into_view_if_needed()
        last = tabs.last.bounding_box()
        assert last["x"] + last["width"] <= box["x"] + box["width"] + 0.5


def test_the_overview_keeps_room_for_the_ai_quote_while_it_loads(page, live_server):
    email, project = tour.demo_creator()
    log_in(page, email)
    # The quote answers only when the test lets it: the page is measured before and after.
    held = []
    page.route("**/generate/quote/**", lambda route: held.append(route))
    page.goto(f"/studio/{project.public_id}/")
    page.wait_for_function("() => document.querySelector('.ai-panel__quote--onload .ai-panel__loading')")
    quote, below = page.locator(".ai-panel__quote--onload"), page.locator("#ask-ai + *")
    before = (quote.bounding_box()["height"], below.bounding_box()["y"])

    page.wait_for_timeout(200)
    for route in held:
        route.continue_()
    page.wait_for_selector(".ai-panel__quote--onload .ai-quote")
    after = (quote.bounding_box()["height"], below.bounding_box()["y"])

    assert before[0] >= 280, "the loading quote keeps its room"
    assert abs(after[1] - before[1]) <= 1, f"what follows the AI card moved from {before[1]} to {after[1]}"
