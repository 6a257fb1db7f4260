"""In Chromium against a live server: the bell in the app shell counts a job that finished while
the creator was on another page (the job ends in the test, as a worker would end it), the inbox
shows it with its thumbnail and opens it, and the count goes back to none. Screenshots of
/notifications/ and /settings/notifications/ at 1280 and 390 px go to $FLOW_SHOTS when it is set."""

import os
from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory, log_in
from studio import services
from studio.generate import jobs, worker
from studio.models import Generation

from .factories import give_plan, make_project

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("FLOW_SHOTS", "")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture
def creator(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    settings.NOTIFICATIONS_POLL_SECONDS = 1  # the bell asks every second here (30 s by default)
    user = UserFactory(email="laras@example.com", display_name="Laras")
    give_plan(user, "pro")
    return user


def test_the_bell_counts_a_job_that_finished_elsewhere(page, live_server, creator):
    project = make_project(creator, characters=1, scenes=0)
    hero = project.characters.get()
    services.character_update(character=hero, name="Laras Wening", appearance="long braid, batik scarf")
    log_in(page, creator.email)

    page.goto("/notifications/")
    assert page.locator("#notifications-empty").is_visible()
    assert page.locator("#notif-bell").get_attribute("data-unread") == "0"
    shoot(page, "notifications-empty")

    # Another tab (here: the test, like a worker) starts and finishes a job the creator is not watching.
    job = jobs.character_image_request(user=creator, character=hero)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == Generation.Status.SUCCEEDED

    page.wait_for_selector("#notif-bell .notif-bell__count:text('1')")  # no reload: the bell polled
    assert page.locator("#notif-bell").get_attribute("data-unread") == "1"

    page.goto("/notifications/")
    item = page.locator("#notification-list .notif").first
    assert "Your image is ready!" in item.inner_text() and "Laras Wening" in item.inner_text()
    thumb = item.locator("img.notif__thumb")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    shoot(page, "notifications")

    item.locator("button").click()
    page.wait_for_url(f"**/media/assets/{job.output_asset.public_id}/")
    assert page.locator("#notif-bell").get_attribute("data-unread") == "0"

    page.goto("/settings/notifications/")
    shoot(page, "notification-settings")
    page.select_option("#id_kind_job_finished", "app")
    page.fill("#id_low_credits_threshold", "50")
    page.click("#save-notification-settings")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_kind_job_finished").input_value() == "app"
    assert page.locator("#id_low_credits_threshold").input_value() == "50"
