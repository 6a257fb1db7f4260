"""A creator builds a bible in headless Chromium against a live server."""

import re

import pytest

from accounts.tests.factories import UserFactory, log_in
from studio.models import Character

pytestmark = pytest.mark.browser



def test_create_project_add_characters_generate_and_accept_a_profile(page, live_server):
    UserFactory(email="sari@example.com", display_name="Sari")
    log_in(page, "sari@example.com")

    page.goto("/studio/new/")
    page.fill("main form input[name=title]", "The Ember Kite")
    page.fill("main form [name=logline]", "A kite-maker girl chases a storm spirit across floating islands.")
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r"/studio/[0-9a-f-]{36}/$"))
    project_url = page.url

    for name in ("Lintang", "Bayu"):
        page.goto(project_url + "characters/")
        page.fill("main form input[name=name]", name)
        page.click("main form [type=submit]")
        page.wait_for_url(re.compile(r"/studio/characters/[0-9a-f-]{36}/$"))
    assert Character.objects.count() == 2

    page.goto(project_url + "characters/")
    page.click("text=Lintang")
    page.wait_for_url(re.compile(r"/studio/characters/"))
    page.click(".js-generate[data-field=backstory]")
    page.click("[data-ai-panel][data-field=backstory] .js-run-generate")
    page.wait_for_selector("#ai-draft-backstory .js-draft-accept", timeout=20_000)
    # The offline label is next to the draft, in the panel, and not in the draft.
    assert page.inner_text("#ai-draft-backstory .ai-run__offline") == "Offline draft — written without an AI service"
    draft = page.inner_text("#ai-draft-text-backstory")
    assert draft.startswith("Lintang grew up") and "Offline" not in draft
    with page.expect_response(lambda r: "/accept/" in r.url and r.request.method == "POST"):
        page.click("#ai-draft-backstory .js-draft-accept")
    # The page reloads itself after accepting; wait until the field shows the accepted draft.
    page.wait_for_function(
        "() => (document.querySelector('textarea[name=backstory]') || {value: ''}).value.startsWith('Lintang grew up')"
    )
    backstory = Character.objects.get(name="Lintang").backstory
    assert backstory.startswith("Lintang grew up") and "Offline" not in backstory and "[" not in backstory
