"""In Chromium against a live server: a moodboard whose characters have no reference sheet draws
them in one click (their first images become their sheets), a card's "Use as reference sheet"
button changes the sheet, the project gallery's search and filters live in the URL (the back
button works), and a download carries a readable name. Screenshots at 1280 and 390 px, in English
and Indonesian, go to $FLOW_SHOTS when it is set."""

import os
import re
from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory, log_in
from media import services as media_services
from media.models import MediaAsset
from media.tests.conftest import png
from studio import services
from studio.models import Generation, Moodboard
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("FLOW_SHOTS", "")


def shoot(page, name: str) -> None:
    """Full-page screenshots at 1280 and 390 px, in English and Indonesian (when FLOW_SHOTS is set)."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    url = page.url
    for language in ("en", "id"):
        page.context.add_cookies([{"name": "modo_language", "value": language, "url": page.url}])
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=f"{SHOTS}/{name}-{width}-{language}.png", full_page=True)
    page.context.add_cookies([{"name": "modo_language", "value": "en", "url": page.url}])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(url)


@pytest.fixture
def creator(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    user = UserFactory(email="laras@example.com")
    give_plan(user, "pro")
    return user


def test_a_moodboard_draws_its_missing_sheets_in_one_click(page, live_server, creator, celery_eager):
    project = make_project(creator, characters=2, scenes=0)
    first, second = project.characters.order_by("id")
    services.character_update(character=first, name="Laras Wening", appearance="long braid, batik scarf")
    services.character_update(character=second, name="Bayu", appearance="round glasses")
    board = Moodboard.objects.create(project=project, title="Night market")
    board.characters.set([first, second])
    log_in(page, "laras@example.com")

    page.goto(f"/studio/moodboards/{board.public_id}/")
    offer = f"#sheets-{board.public_id}"
    text = page.inner_text(offer)
    assert "Laras Wening" in text and "Bayu" in text and "Generate the 2 missing sheets" in text
    assert re.search(r"\d+ credits in all \(\d+ each\)", text)
    shoot(page, "moodboard-offer")

    page.click(f"{offer}-button")
    panel = f"#gen-{board.public_id}"
    page.wait_for_selector(f"{panel}-jobs .job >> nth=1", timeout=30_000)
    assert Generation.objects.filter(kind="character_image").count() == 2
    # The jobs ran (eagerly): each character's first image is its sheet, the page reloads by itself.
    page.wait_for_selector(f"{offer}[hidden]", state="attached", timeout=20_000)
    for character in (first, second):
        character.refresh_from_db()
        assert character.primary_image is not None and character.primary_image.is_primary
    assert page.locator(f"{panel} .gen-cast__item--missing").count() == 0

    # The moodboard itself can be generated now.
    page.click(f"{panel} form.gen-form button[type=submit]")
    page.wait_for_selector(f"{panel}-jobs .job--succeeded.job >> text=Moodboard", timeout=30_000)

    # The sheet can be changed with the button on another image's card.
    other = media_services.asset_store(data=png(300, 400), mime="image/png", owner=creator, target=target_of(first),
                                       source_type="uploaded", file_name="braid-study.png")
    page.goto(f"/studio/characters/{first.public_id}/")
    gallery = f"#gallery-character-{first.public_id}"
    button = page.locator(f"#asset-{other.public_id}-primary")
    assert button.is_visible() and "Use as reference sheet" in button.inner_text()
    shoot(page, "character-gallery")
    button.click()
    page.wait_for_selector(f"{gallery} #asset-{other.public_id}.asset--primary")
    first.refresh_from_db()
    assert first.primary_image == other


def test_gallery_filters_live_in_the_url_and_downloads_have_readable_names(page, live_server, creator, celery_eager):
    project = make_project(creator, characters=1, scenes=0)
    hero = project.characters.get()
    services.character_update(character=hero, name="Laras Wening")
    for n in range(3):
        media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(hero),
                                   source_type="generated", generation={"prompt": f"lantern festival {n}"},
                                   file_name=f"laras-wening-sheet-2026-12-0{n + 1}.png")
    media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(project),
                               source_type="uploaded", file_name="cover.png")
    log_in(page, "laras@example.com")

    url = f"/studio/{project.public_id}/gallery/"
    page.goto(url)
    assert page.locator(".pg-item").count() == 4
    page.fill("input[name=q]", "lantern")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"\?.*q=lantern"))
    assert page.locator(".pg-item").count() == 3
    page.select_option("select[name=source]", "uploaded")  # submits on change
    page.wait_for_url(re.compile(r"source=uploaded"))
    assert page.locator(".pg-item").count() == 0
    shared = page.url

    page.go_back()
    page.wait_for_url(re.compile(r"q=lantern(?!.*source=uploaded)"))
    assert page.input_value("input[name=q]") == "lantern" and page.input_value("select[name=source]") == ""
    assert page.locator(".pg-item").count() == 3
    page.go_back()
    assert page.locator(".pg-item").count() == 4

    page.goto(shared)  # a shared link opens the same view
    assert page.input_value("select[name=source]") == "uploaded" and page.input_value("input[name=q]") == "lantern"

    page.goto(url + "?q=lantern")
    shoot(page, "project-gallery")
    sheet = MediaAsset.objects.filter(target_id=hero.public_id).order_by("created_at").first()
    with page.expect_download() as caught:
        page.goto(f"/studio/{project.public_id}/gallery/")
        page.click(f"#pg-{sheet.public_id}-menu summary")
        page.click(f"#pg-{sheet.public_id}-menu >> text=Download")
    assert caught.value.suggested_filename == "laras-wening-sheet-2026-12-01.png"


def test_the_offer_shows_the_sheets_on_their_way_and_reloads_when_they_land(page, live_server, creator):
    from studio.gallery import services as gallery_services

    project = make_project(creator, characters=2, scenes=0)
    first, second = project.characters.order_by("id")
    board = Moodboard.objects.create(project=project, title="Night market")
    board.characters.set([first, second])
    log_in(page, "laras@example.com")

    page.goto(f"/studio/moodboards/{board.public_id}/")
    offer = f"#sheets-{board.public_id}"
    page.click(f"{offer}-button")  # no worker here: the jobs stay queued
    page.wait_for_selector(f"#gen-{board.public_id}-jobs .job--queued >> nth=1")
    assert "Drawing the reference sheets of" in page.inner_text(offer)
    assert page.locator(f"{offer}-button").count() == 0  # nothing left to ask for twice
    shoot(page, "moodboard-pending")

    for job in Generation.objects.filter(kind="character_image"):
        character = project.characters.get(public_id=job.target_id)
        asset = media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(character))
        gallery_services.sheet_set_if_missing(asset=asset)
        Generation.objects.filter(pk=job.pk).update(status="succeeded", output_asset=asset)
    # The offer polls; once every sheet is there the page reloads and the cast is complete.
    page.wait_for_selector(f"{offer}[hidden]", state="attached", timeout=15_000)
    assert page.locator(f"#gen-{board.public_id} .gen-cast__item--missing").count() == 0
