"""The trial's terms where it is sold, the upgrade page a used-up trial leads to, and a manual
order that says exactly how to pay — in headless Chromium against a live server.

With SCREENSHOTS_DIR set, each step is also saved as a PNG at 1280 and 390 px wide (to look at)."""

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache

from accounts.tests.factories import UserFactory, log_in
from credits import ledger, selectors
from credits.models import CreditAccount, Order, PaymentSettings

pytestmark = pytest.mark.browser
TERMS = "14 days or 2 AI generations, whichever comes first"


def shoot(page, name: str, focus: str = "") -> None:
    """Saves the page at desktop and phone width when SCREENSHOTS_DIR is set: all of it, or the
    window scrolled to `focus` (a selector)."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    lang = page.get_attribute("html", "lang") or "en"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        if focus:
            page.locator(focus).first.evaluate(
                "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 140)")
            page.wait_for_timeout(100)
        page.screenshot(path=f"{folder}/{name}-{lang}-{width}.png", full_page=not focus)
    page.set_viewport_size({"width": 1280, "height": 800})



def switch_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}] >> nth=0")
    page.wait_for_function(f"() => document.documentElement.lang === '{code}'")


@pytest.fixture
def trial_user(seeded_defaults):
    user = UserFactory(email="dewi@example.com", display_name="Dewi")
    ledger.credit_account_open(user=user)
    return user


def test_the_trial_is_stated_and_a_used_up_trial_leads_to_the_upgrade_page(page, trial_user):
    page.goto("/pricing/")
    assert TERMS in page.inner_text("#trial-cta")
    shoot(page, "pricing")
    page.goto("/auth/?tab=register")
    assert TERMS in page.inner_text("#signup-trial")
    shoot(page, "signup")

    log_in(page, "dewi@example.com")
    banner = page.inner_text("#trial-banner")
    assert "2 generations left" in banner and TERMS in banner
    shoot(page, "dashboard-trial")

    CreditAccount.objects.filter(user=trial_user).update(trial_generations_used=2)
    # Behind the ledger's back (no account_changed): the shell's cached summary is dropped by hand.
    cache.delete(selectors._shell_summary_key(user_id=trial_user.pk))
    page.reload()
    assert "You have used your 2 trial generations." in page.inner_text("#trial-banner")
    page.click("#trial-banner >> text=See your options")
    page.wait_for_url(re.compile(r"/settings/subscription/\?locked=1&reason=trial_generations$"))
    assert "You have used your 2 trial generations" in page.inner_text("#locked-title")
    assert page.is_visible("#plans .plan-card") and page.is_visible("#talk-whatsapp")
    assert page.get_attribute("#talk-whatsapp", "href").startswith("https://wa.me/6281319504441?text=")
    shoot(page, "upgrade")
    switch_language(page, "id")
    assert page.is_visible("#locked")
    shoot(page, "upgrade")


def test_a_manual_order_shows_how_to_pay_and_opens_whatsapp_with_the_order(page, trial_user):
    PaymentSettings.objects.update_or_create(pk=1, defaults={
        "bank_name": "BCA", "bank_account_number": "8720 1234 56", "bank_account_holder": "PT Modo Kreatif Nusantara",
        "ewallet_name": "GoPay", "ewallet_number": "0813 1950 4441", "ewallet_holder": "Galih Praz",
        "whatsapp_number": "081319504441", "contact_name": "Galih Praz"})
    log_in(page, "dewi@example.com")

    page.goto("/settings/subscription/")
    page.click("#package-credits-200 button[type=submit]")
    page.wait_for_url(re.compile(r"/settings/orders/[0-9a-f-]{36}/$"))
    order = Order.objects.get()
    pay = page.inner_text("#order-pay")
    for shown in ("BCA", "8720 1234 56", "PT Modo Kreatif Nusantara", "GoPay", order.number, "Galih Praz"):
        assert shown in pay, shown
    href = page.get_attribute("#whatsapp-link", "href")
    assert href.startswith("https://wa.me/6281319504441?text=") and order.number in href
    assert " " not in href
    shoot(page, "order")
    switch_language(page, "id")
    assert order.number in page.inner_text("#order-pay")
    shoot(page, "order")
