"""End-to-end in headless Chromium against a live server."""

import re

import pytest
from django.core import mail

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_signup_verify_login_reaches_the_dashboard(page, live_server):
    page.goto("/auth/?tab=register")
    page.fill("#signup-form input[name=email]", "rina@example.com")
    page.fill("#signup-form input[name=password1]", PASSWORD)
    page.fill("#signup-form input[name=password2]", PASSWORD)
    page.click("#signup-form [type=submit]")

    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    page.goto(f"/{path}")
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert "rina" in page.inner_text("h1").lower()

    # Sign out and back in with the password.
    page.click(".user-menu summary")
    page.click("form[action='/accounts/logout/'] [type=submit]")
    page.goto("/auth/")
    page.fill("#login-form input[name=login]", "rina@example.com")
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/$"))


def test_switching_to_bahasa_indonesia_translates_landing_and_dashboard(page, live_server):
    UserFactory(email="ayu@example.com", display_name="Ayu")

    page.goto("/")
    english_heading = page.inner_text("h1")
    page.click("button[name=language][value=id] >> nth=0")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "id"
    assert page.inner_text("h1") != english_heading

    page.goto("/auth/")
    page.fill("#login-form input[name=login]", "ayu@example.com")
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.get_attribute("html", "lang") == "id"
    assert "Selamat datang" in page.inner_text("h1")

    page.click("button[name=language][value=en] >> nth=0")
    page.wait_for_load_state()
    assert "Welcome" in page.inner_text("h1")


def test_auth_tabs_switch_without_reload(page, live_server):
    page.goto("/auth/")
    assert page.is_visible("#login-form")
    assert not page.is_visible("#signup-form")

    page.click("[data-tab=register]")

    assert page.is_visible("#signup-form")
    assert not page.is_visible("#login-form")
