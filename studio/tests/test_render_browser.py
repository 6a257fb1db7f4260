"""A creator's text carrying script payloads, read in headless Chromium: nothing of it runs on
the overview, the public showcase or the pitch bible, and its Markdown shows as formatting."""

import pytest

from accounts.tests.factories import UserFactory, log_in
from studio import services
from studio.tests.factories import give_plan, make_project

pytestmark = pytest.mark.browser

PAYLOAD = (
    "**Bold** words and a [link](https://example.com).\n\n"
    "<script>window.pwned = 1</script>\n\n"
    '<img src=x onerror="window.pwned = 1">\n\n'
    "[click me](javascript:window.pwned=1)\n\n"
    '<a href="javascript:window.pwned=1" id="raw">raw link</a>'
)


def _assert_nothing_ran(page, dialogs):
    assert page.evaluate("() => window.pwned") is None
    assert dialogs == []
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("img[src='x']").count() == 0


@pytest.fixture
def filled(db):
    user = UserFactory(email="lintang.w@example.com", display_name="")
    give_plan(user)
    project = make_project(user, title="The Ash Kite", characters=1, scenes=1, beats=1)
    services.project_update(project=project, premise=PAYLOAD)
    services.story_update(project=project, synopsis=PAYLOAD)
    services.character_update(character=project.characters.first(), backstory=PAYLOAD)
    services.world_update(project=project, setting=PAYLOAD)
    services.project_publish(project=project, sections=list(project.SECTIONS))
    return user, project


def test_a_payload_does_not_run_on_the_showcase_the_overview_or_the_pitch(page, filled):
    user, project = filled
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"/showcase/{project.slug}/")
    assert page.locator(".bible-text strong", has_text="Bold").count() >= 2
    assert page.locator(".bible-text a[rel='noopener nofollow ugc']").count() >= 2
    assert "lintang" not in page.content().lower()  # no display name: no part of the email either
    _assert_nothing_ran(page, dialogs)

    log_in(page, user.email)
    page.goto(f"/studio/{project.public_id}/")
    assert page.locator("#project-premise strong", has_text="Bold").count() == 1
    _assert_nothing_ran(page, dialogs)

    page.goto(f"/studio/{project.public_id}/export/html/")
    assert page.locator("main .prose strong", has_text="Bold").count() >= 4
    _assert_nothing_ran(page, dialogs)
