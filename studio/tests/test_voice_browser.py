"""A creator gives a character a voice on its sheet, reads a scene's dialogue aloud and plays it,
then lip-syncs the character's sheet with that line and plays the video — in headless Chromium
against a live server, with the offline provider (eSpeak NG, the offline lip-sync preview).
Tasks run eagerly: a job is done by the time its card arrives."""

import re

import pytest

from accounts.tests.factories import UserFactory, log_in
from media import services as media_services
from media.tests.conftest import png
from studio import services
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.browser

SCRIPT = "EXT. PIER - DAWN\n\nLARAS\nThe lantern is dark again.\n\nPAK DARTO\nThen we light it together.\n"

PLAYABLE = """el => new Promise((resolve, reject) => {
    if (el.readyState >= 1) return resolve(el.duration);
    el.addEventListener('loadedmetadata', () => resolve(el.duration));
    el.addEventListener('error', () => reject(new Error('the file cannot be played')));
    el.load();
})"""


def test_voice_a_character_read_a_scene_and_lipsync_the_sheet(page, live_server, tmp_path, settings, celery_eager):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    user = UserFactory(email="laras@example.com")
    give_plan(user, "pro")
    project = make_project(user, characters=0, scenes=0)
    laras = services.character_create(project=project, name="Laras", role="protagonist")
    darto = services.character_create(project=project, name="Pak Darto", role="mentor")
    scene = services.scene_create(project=project, title="Dawn", script=SCRIPT, characters=[laras, darto])
    sheet = media_services.asset_store(data=png(96, 128), mime="image/png", owner=user, target=target_of(laras),
                                       source_type="uploaded")
    log_in(page, "laras@example.com")

    # A voice for Laras, on her sheet.
    page.goto(f"/studio/characters/{laras.public_id}/")
    panel = f"#voice-{laras.public_id}"
    page.wait_for_selector(f"{panel} select[name=voice]")
    page.select_option(f"{panel} select[name=voice]", "en-us+f3")
    page.fill(f"{panel} input[name=speed]", "1.1")
    page.click(f"{panel} .voice-form button[type=submit]")
    page.wait_for_selector(f"{panel} .voice-form__saved")
    laras.refresh_from_db()
    assert laras.voice["voice"] == "en-us+f3" and laras.voice["speed"] == 1.1

    # The scene's dialogue, read in each speaker's voice, and played.
    page.goto(f"/studio/scenes/{scene.public_id}/")
    read = f"#read-{scene.public_id}"
    page.wait_for_selector(f"{read} .voice-lines li")
    assert page.locator(f"{read} .voice-lines li").count() == 2
    page.click(f"{read} button[type=submit]")
    player = page.wait_for_selector(f"{read}-jobs .job--succeeded audio", timeout=30_000)
    assert player.evaluate(PLAYABLE) > 1
    reading = Generation.objects.get(kind="voice")
    assert reading.cost_charged == 1 and [line["voice"] for line in reading.params["lines"]] == ["en-us+f3", ""]

    # Lip-sync Laras's sheet with that reading, from the job card, and play the video.
    page.click(f"{read}-jobs .job--succeeded >> text=Lip-sync")
    page.wait_for_url(re.compile(rf"/studio/{project.public_id}/lipsync/\?audio="))
    page.check(f"#img-{sheet.public_id}", force=True)
    page.click("#lipsync-form [type=submit]")
    page.wait_for_url(re.compile(r"/lipsync/\?job="))
    video = page.wait_for_selector(".lipsync-job .job--succeeded video", timeout=60_000)
    assert abs(video.evaluate(PLAYABLE) - reading.output_asset.duration) < 0.3
    talk = Generation.objects.get(kind="lipsync")
    assert talk.status == "succeeded" and talk.cost_charged == 20 and talk.output_asset.target_id == laras.public_id
