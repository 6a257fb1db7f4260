"""A creator asks the AI panel for an offline draft of a given length and accepts it (headless Chromium).

Screenshots of the panel go to $MODO_SCREENSHOTS (default: a temporary folder), one per language
and width, for a person to look at."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from aiproviders.adapters.local import offline_label
from studio import services
from studio.models import Draft, Story

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("MODO_SCREENSHOTS") or tempfile.mkdtemp(prefix="modo-shots-"))
ASK = {"en": "3 paragraphs, hopeful", "id": "3 paragraf, penuh harapan"}
OPENING = {"en": "The Ember Kite opens on Lintang at Kite Market", "id": "The Ember Kite dibuka dengan Lintang di Kite Market"}


def a_bible(email):
    user = UserFactory(email=email, display_name="Sari")
    project = services.project_create(owner=user, title="The Ember Kite", genre="fantasy", tone="warm",
                                      logline="A kite-maker girl chases a storm spirit across floating islands.")
    services.character_create(project=project, name="Lintang", role="protagonist", personality="brave, stubborn")
    services.character_create(project=project, name="Bayu", role="antagonist")
    services.location_create(project=project, name="Kite Market", description="Stalls of paper and bamboo.")
    return project


def log_in(page, email, language):
    page.goto("/auth/")
    if language != "en":
        page.click(f"button[name=language][value={language}] >> nth=0")
        page.wait_for_load_state()
    page.fill("#login-form input[name=login]", email)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.get_attribute("html", "lang") == language


def shot(page, name):
    page.screenshot(path=str(SHOTS / name), full_page=False)


@pytest.mark.parametrize("language", ["en", "id"])
def test_an_offline_synopsis_of_three_paragraphs_is_accepted_as_exactly_that(page, live_server, language):
    project = a_bible(f"sari-{language}@example.com")
    log_in(page, f"sari-{language}@example.com", language)

    page.goto(f"/studio/{project.public_id}/story/")
    page.click(".js-generate[data-field=synopsis]")
    page.fill("#ai-prompt-synopsis", ASK[language])
    page.click("[data-ai-panel][data-field=synopsis] .js-run-generate")
    page.wait_for_selector("#ai-draft-synopsis .js-draft-accept", timeout=20_000)

    # The panel says the draft was written offline; the draft itself is only the synopsis.
    label = page.locator("#ai-draft-synopsis .ai-run__offline")
    assert label.is_visible() and label.inner_text() == offline_label(language)
    shown = page.inner_text("#ai-draft-text-synopsis")
    assert shown.startswith(OPENING[language]) and offline_label(language) not in shown
    page.locator("#ai-panel-synopsis").scroll_into_view_if_needed()
    shot(page, f"synopsis-panel-{language}-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#ai-draft-synopsis .ai-run__offline").scroll_into_view_if_needed()
    shot(page, f"synopsis-panel-{language}-390.png")
    page.set_viewport_size({"width": 1280, "height": 800})

    with page.expect_response(lambda r: "/accept/" in r.url and r.request.method == "POST"):
        page.click("#ai-draft-synopsis .js-draft-accept")
    page.wait_for_function(
        "start => (document.querySelector('textarea[name=synopsis]') || {value: ''}).value.startsWith(start)",
        arg=OPENING[language],
    )

    # After the reload the field holds exactly the draft: three paragraphs of prose, nothing else.
    field = page.input_value("textarea[name=synopsis]")
    synopsis = Story.objects.get(project=project).synopsis
    assert field.replace("\r\n", "\n") == synopsis == Draft.objects.get().text.strip()
    paragraphs = synopsis.split("\n\n")
    assert len(paragraphs) == 3
    for paragraph in paragraphs:
        assert paragraph[0].isupper() and paragraph.endswith(".") and "\n" not in paragraph
    for never in (offline_label("en"), offline_label("id"), ASK[language], "Canon", "#", "**", "---"):
        assert never not in synopsis, never
    assert "Lintang" in synopsis and "Bayu" in synopsis
    page.locator("textarea[name=synopsis]").scroll_into_view_if_needed()
    shot(page, f"synopsis-accepted-{language}-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("textarea[name=synopsis]").scroll_into_view_if_needed()
    shot(page, f"synopsis-accepted-{language}-390.png")
