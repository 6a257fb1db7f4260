"""A creator draws two characters, makes their pictures the reference sheets, puts both in a
moodboard, generates its image and animates it — in headless Chromium against a live server,
with the offline provider. Tasks run eagerly: a job is done by the time its card arrives."""

import re

import pytest

from accounts.tests.factories import UserFactory, log_in
from media.models import MediaAsset
from studio.models import Generation, Moodboard

from .factories import give_plan, make_project

pytestmark = pytest.mark.browser


def generate_character_image(page, character):
    page.goto(f"/studio/characters/{character.public_id}/")
    panel = f"#gen-{character.public_id}"
    page.wait_for_selector(f"{panel} form")  # the panel loads with the page (htmx)
    page.click(f"{panel} label.style-card--anime")
    page.select_option(f"{panel} select[name=size]", "portrait-s")
    page.fill(f"{panel} textarea[name=prompt]", "holding a paper kite")
    page.click(f"{panel} button[type=submit]")
    card = page.wait_for_selector(f"{panel}-jobs .job", timeout=20_000)
    assert card.is_visible()
    page.wait_for_selector(f"{panel}-jobs .job--succeeded .job__thumb img")
    assert "ready" in page.wait_for_selector("#messages .toast--success").inner_text()  # the toast
    # The job's card tells the gallery to refresh: the new image appears in it.
    gallery = f"#gallery-character-{character.public_id}"
    page.wait_for_selector(f"{gallery} .asset")
    asset = MediaAsset.objects.get(target_id=character.public_id, source_type="generated")
    # A character's first image becomes its reference sheet by itself.
    page.wait_for_selector(f"{gallery} #asset-{asset.public_id}.asset--primary")
    return asset


def test_generate_characters_a_moodboard_and_an_animation(page, live_server, tmp_path, settings, celery_eager):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    user = UserFactory(email="wulan@example.com")
    give_plan(user, "pro")  # video and enough credits
    project = make_project(user, characters=2, scenes=1)
    first, second = project.characters.order_by("id")
    log_in(page, "wulan@example.com")

    sheets = [generate_character_image(page, c) for c in (first, second)]
    job = Generation.objects.filter(kind="character_image").first()
    assert job.params["style"] == "anime" and job.params["size"] == "portrait-s" and job.cost_charged > 0
    for character, sheet in zip((first, second), sheets, strict=True):
        character.refresh_from_db()
        assert character.primary_image == sheet

    page.goto(f"/studio/{project.public_id}/moodboards/")
    page.fill("#moodboard-add-form input[name=title]", "The storm arrives")
    page.check(f"#moodboard-add-form label.cast-pick:has-text('{first.name}') input")
    page.check(f"#moodboard-add-form label.cast-pick:has-text('{second.name}') input")
    page.fill("#moodboard-add-form input[name=action]", "running along the pier")
    page.click("#moodboard-add-form [type=submit]")
    page.wait_for_url(re.compile(r"/studio/moodboards/[0-9a-f-]{36}/$"))
    board = Moodboard.objects.get()
    assert set(board.characters.all()) == {first, second}

    panel = f"#gen-{board.public_id}"
    page.click(f"{panel} button[type=submit]")
    page.wait_for_selector(f"{panel}-jobs .job--succeeded .job__thumb img", timeout=20_000)
    page.wait_for_selector(f"#gallery-moodboard-{board.public_id} .asset")
    image = MediaAsset.objects.get(target_id=board.public_id)
    assert len(image.params["references"]) == 2

    page.click(f"{panel}-jobs .job--succeeded >> text=Animate")
    page.wait_for_url(re.compile(rf"/studio/animate/{image.public_id}/$"))
    page.check("#duration-3", force=True)
    page.select_option("#animate-form select[name=motion]", "zoom_out")
    page.click("#animate-form [type=submit]")
    page.wait_for_url(re.compile(rf"/studio/moodboards/{board.public_id}/\?job="))
    video = page.wait_for_selector(f"{panel}-jobs .job--succeeded video", timeout=30_000)
    duration = video.evaluate("""v => new Promise((resolve, reject) => {
        if (v.readyState >= 1) return resolve(v.duration);
        v.addEventListener('loadedmetadata', () => resolve(v.duration));
        v.addEventListener('error', () => reject(new Error('the video cannot be played')));
        v.load();
    })""")
    assert duration > 0
    animation = Generation.objects.get(kind="animation")
    assert animation.status == "succeeded" and animation.params["duration"] == 3
    assert animation.output_asset.target_id == board.public_id and animation.output_asset.is_video

    page.goto("/studio/jobs/")
    assert page.locator(".job-row").count() == 4
    page.goto(f"/studio/{project.public_id}/gallery/?media=video")
    assert page.locator(".pg-item").count() == 1
