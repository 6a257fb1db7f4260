"""Numbers never go stale, and a used-up trial leads to the upgrade page — in headless Chromium
against a live server. Jobs are finished from the test, as the worker would (no eager Celery: the
card must find out by itself); the page is never reloaded.

With SCREENSHOTS_DIR set, the steps are also saved as PNGs at 1280 and 390 px wide."""

import re

import pytest

from accounts.tests.factories import UserFactory, log_in
from credits.selectors import credit_account_for
from credits.tests.test_browser import shoot, switch_language
from studio.generate import jobs, worker
from studio.models import Generation

from .factories import make_project

pytestmark = pytest.mark.browser


def badge(page) -> int:
    return int(page.get_attribute("#credit-badge", "data-available"))


def wait_for_badge(page, value: int) -> None:
    page.wait_for_function(
        f"() => (document.querySelector('#credit-badge') || {{}}).dataset?.available === '{value}'", timeout=15_000)


@pytest.fixture
def trial_character(seeded_defaults, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    user = UserFactory(email="laras@example.com", display_name="Laras")
    character = make_project(user, characters=1, scenes=0).characters.get()
    character.name = "Laras Wening"
    character.save()
    return character


def test_the_header_balance_and_trial_count_follow_the_jobs_without_a_reload(page, trial_character):
    user = trial_character.project.owner
    start = credit_account_for(user=user).available
    log_in(page, "laras@example.com")
    page.goto(f"/studio/characters/{trial_character.public_id}/")
    panel = f"#gen-{trial_character.public_id}"
    page.wait_for_selector(f"{panel} form")
    assert "2 of 2 trial generations left" in page.inner_text(f"{panel}-quote")
    assert "14 days or 2 AI generations, whichever comes first" in page.inner_text(f"{panel}-quote")
    assert badge(page) == start
    page.evaluate("window.__sameDocument = true")

    # A job that fails: its credits are held, then returned — the header follows both.
    page.click(f"{panel} button[type=submit]")
    page.wait_for_selector(f"{panel}-jobs .job--queued")
    failing = Generation.objects.get()
    wait_for_badge(page, start - failing.credits_quoted)
    jobs.job_fail(job=failing, code="provider", message="The image service did not answer.")
    page.wait_for_selector(f"{panel}-jobs .job--failed")
    assert f"Failed — your {failing.credits_quoted} credits were returned." in page.inner_text(f"{panel}-jobs .job--failed")
    wait_for_badge(page, start)
    shoot(page, "job-failed", f"{panel}-quote")

    # A job that succeeds: charged, and the trial's count goes down in the panel and the banner.
    page.click(f"{panel} button[type=submit]")
    page.wait_for_selector(f"{panel}-jobs .job--queued")
    done = Generation.objects.exclude(pk=failing.pk).get()
    worker.job_execute(done.pk)
    page.wait_for_selector(f"{panel}-jobs .job--succeeded", timeout=20_000)
    done.refresh_from_db()
    wait_for_badge(page, start - done.cost_charged)
    page.wait_for_function(f"() => document.querySelector('{panel}-quote').innerText.includes('1 of 2 trial generations left')")
    page.wait_for_function("() => document.querySelector('#trial-banner').innerText.includes('1 generation left')")
    assert page.evaluate("window.__sameDocument") is True  # never reloaded
    shoot(page, "job-done", f"{panel}-quote")
    switch_language(page, "id")
    shoot(page, "job-done", f"{panel}-quote")

    # The statement: one line a job, with what it was for and what became of its credits.
    page.goto("/settings/credits/")
    lines = page.locator("#ledger tbody tr")
    assert lines.count() == 3  # the welcome credits and the two jobs
    assert "Laras Wening" in lines.nth(0).inner_text() and "Laras Wening" in lines.nth(1).inner_text()
    shoot(page, "statement")
    switch_language(page, "en")
    assert "Character image · Laras Wening" in lines.nth(0).inner_text()
    assert "returned" in lines.nth(1).inner_text().lower() and "charged" in lines.nth(0).inner_text().lower()
    shoot(page, "statement")


def test_a_used_up_trial_takes_the_creator_to_the_upgrade_page(page, trial_character):
    user = trial_character.project.owner
    account = credit_account_for(user=user)
    type(account).objects.filter(pk=account.pk).update(trial_generations_used=2)
    log_in(page, "laras@example.com")
    page.goto(f"/studio/characters/{trial_character.public_id}/")
    panel = f"#gen-{trial_character.public_id}"
    page.wait_for_selector(f"{panel} form")
    assert "You have used your 2 trial generations." in page.inner_text(f"{panel}-quote")
    shoot(page, "panel-trial-used", f"{panel}-quote")

    page.click(f"{panel} button[type=submit]")

    page.wait_for_url(re.compile(r"/settings/subscription/\?locked=1&reason=trial_generations$"))
    assert "You have used your 2 trial generations" in page.inner_text("#locked-title")
    assert not Generation.objects.exists()


def test_the_header_balance_follows_a_streamed_draft(page, trial_character):
    user = trial_character.project.owner
    start = credit_account_for(user=user).available
    log_in(page, "laras@example.com")
    page.goto(f"/studio/characters/{trial_character.public_id}/")
    page.evaluate("window.__sameDocument = true")

    page.click(".js-generate[data-field=backstory]")
    page.click("[data-ai-panel][data-field=backstory] .js-run-generate")
    page.wait_for_selector("#ai-draft-backstory .js-draft-accept", timeout=20_000)

    charged = start - credit_account_for(user=user).available
    assert charged > 0
    wait_for_badge(page, start - charged)
    page.wait_for_function("() => document.querySelector('#trial-banner').innerText.includes('1 generation left')")
    page.wait_for_function("() => document.querySelector('[data-ai-panel][data-field=backstory] .ai-panel__quote')"
                           ".innerText.includes('1 of 2 trial generations left')")
    assert page.evaluate("window.__sameDocument") is True
