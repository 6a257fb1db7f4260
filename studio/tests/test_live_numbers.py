"""Numbers never go stale: a job card that ended (or was just requested) tells the page credits
moved, and the header's badge, the trial banner and the panels' cost lines fetch themselves
again; a failed job says its credits were returned; the trial's count shows in the panel."""

import pytest
from django.urls import reverse

from credits.selectors import credit_account_for
from studio.generate import jobs
from studio.models import Generation

from .factories import make_project

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def character(user):
    return make_project(user, characters=1, scenes=0).characters.get()  # a new creator: on the trial


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_panel_says_how_many_trial_generations_are_left_and_the_terms(signed_in, character):
    panel = signed_in.get(reverse("studio:character_image", args=[character.public_id]), **HX).content.decode()

    assert "2 of 2 trial generations left" in panel
    assert "14 days or 2 AI generations, whichever comes first" in panel


def test_a_request_and_an_ended_job_make_the_page_fetch_its_numbers_again(signed_in, user, character):
    requested = signed_in.post(reverse("studio:character_image", args=[character.public_id]),
                               {"idempotency_key": "k"}, **HX)
    job = Generation.objects.get()
    card = reverse("studio:job", args=[job.public_id])

    assert requested["HX-Trigger"] == "credits-changed"  # credits were reserved
    assert "HX-Trigger" not in signed_in.get(card + "?poll=1")  # still running: nothing moved

    jobs.job_fail(job=job, code="provider", message="The image service is down.")
    ended = signed_in.get(card + "?poll=1")

    html = ended.content.decode()
    assert ended["HX-Trigger"] == "credits-changed"
    assert f"Failed — your {job.credits_quoted} credits were returned." in html
    assert "The image service is down." in html


def test_the_badge_and_the_trial_banner_come_back_fresh(signed_in, user, character):
    account = credit_account_for(user=user)
    before = signed_in.get(reverse("credits:live")).content.decode()
    assert f'data-available="{account.available}"' in before and "2 generations left" in before

    job = jobs.character_image_request(user=user, character=character)
    after = signed_in.get(reverse("credits:live")).content.decode()

    assert f'data-available="{account.available - job.credits_quoted}"' in after
    assert 'id="trial-banner"' in after and 'hx-swap-oob="true"' in after
    assert 'hx-trigger="credits-changed from:body"' in after  # it keeps listening
