"""A file's buttons in the galleries submit the page's one actions form (its CSRF token and "next"
live there, outside the cached file markup), in headless Chromium against a live server that
checks CSRF: with htmx, with the project gallery's optimistic star, and without JavaScript."""

import re

import pytest

from accounts.tests.factories import UserFactory, log_in
from media import services
from media.models import MediaAsset
from studio.targets import target_of
from studio.tests.factories import make_project

from .conftest import png

pytestmark = pytest.mark.browser


@pytest.fixture
def bible(transactional_db, seeded_defaults, local_storage, settings):
    settings.GOOGLE_DRIVE_API_KEY = "test-key"  # "Replace from Drive" is offered
    user = UserFactory(email="dewi@example.com")
    project = make_project(user, characters=1, scenes=0)
    files = [services.asset_store(data=png(color=(40 * n, 90, 160)), mime="image/png", owner=user,
                                  target=target_of(project)) for n in range(4)]
    return project, files


def fresh(asset) -> MediaAsset:
    return MediaAsset.objects.get(pk=asset.pk)


def test_the_bible_gallery_buttons_work_through_htmx(page, bible):
    project, (starred, deleted, broken, _other) = bible
    MediaAsset.objects.filter(pk=broken.pk).update(is_accessible=False)
    log_in(page, "dewi@example.com")
    page.goto(f"/studio/{project.public_id}/")

    page.click(f"#asset-{starred.public_id}-fav")
    page.wait_for_selector(f"#asset-{starred.public_id}-fav.is-on")
    assert fresh(starred).is_favourite

    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#asset-{deleted.public_id}-menu summary")
    page.click(f"#asset-{deleted.public_id}-menu >> text=Delete")
    page.wait_for_selector(f"#asset-{deleted.public_id}", state="detached")
    assert fresh(deleted).deleted_at is not None

    # A broken file's "Replace from Drive" posts its own small form: the link reaches the view.
    page.click(f"#asset-{broken.public_id}-replace summary")
    page.fill(f"#replace-{broken.public_id}", "https://example.com/not-drive.png")
    page.click(f"#asset-{broken.public_id}-replace button")
    page.wait_for_selector(".gallery .alert--error")
    assert "Google Drive file link" in page.inner_text(".gallery .alert--error")


def test_the_bible_gallery_buttons_work_without_javascript(browser, live_server, bible):
    project, (cover, deleted, *_rest) = bible
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "dewi@example.com")
        url = f"/studio/{project.public_id}/"
        page.goto(url)
        page.click(f"#asset-{cover.public_id}-primary")
        page.wait_for_url(re.compile(re.escape(url) + "$"))
        project.refresh_from_db()
        assert project.cover == fresh(cover) and fresh(cover).is_primary

        page.click(f"#asset-{deleted.public_id}-menu summary")
        page.click(f"#asset-{deleted.public_id}-menu >> text=Delete")  # no confirm without JavaScript
        page.wait_for_url(re.compile(re.escape(url) + "$"))
        assert fresh(deleted).deleted_at is not None
        assert page.locator(f"#asset-{deleted.public_id}").count() == 0
    finally:
        context.close()


def test_the_project_gallery_star_delete_and_cover(page, bible):
    project, (starred, deleted, cover, _other) = bible
    log_in(page, "dewi@example.com")
    url = f"/studio/{project.public_id}/gallery/"
    page.goto(url)

    star = page.locator(f"#pg-{starred.public_id} .asset__star")
    with page.expect_response(re.compile(r"/favourite/$")) as answer:
        star.click()
    assert answer.value.status == 200 and "is-on" in star.get_attribute("class")
    assert fresh(starred).is_favourite
    with page.expect_response(re.compile(r"/unfavourite/$")) as answer:
        star.click()  # the star now points at the other action
    assert answer.value.status == 200 and not fresh(starred).is_favourite

    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#pg-{deleted.public_id}-menu summary")
    page.click(f"#pg-{deleted.public_id}-menu >> text=Delete")
    page.wait_for_selector(f"#pg-{deleted.public_id}", state="detached")
    assert fresh(deleted).deleted_at is not None

    page.click(f"#pg-{cover.public_id}-primary")  # a plain post, back to this page
    page.wait_for_selector(f"#pg-{cover.public_id}.asset--primary")
    project.refresh_from_db()
    assert project.cover == fresh(cover)
