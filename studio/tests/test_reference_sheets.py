"""A character's reference sheet without the hunt: its first finished image becomes the sheet by
itself (once, race-safe, and the creator can change it), "Use as reference sheet" / "Set as cover"
are buttons on the cards, and a moodboard draws its characters' missing sheets in one click."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from credits import ledger
from credits.selectors import credit_account_for
from media import services as media_services
from media.models import MediaAsset
from media.tests.conftest import png
from studio.gallery import services as gallery_services
from studio.generate import jobs
from studio.models import Generation, Moodboard
from studio.targets import target_of

from .factories import make_project

pytestmark = pytest.mark.django_db



@pytest.fixture
def project(creator):
    return make_project(creator, characters=3, scenes=0)


@pytest.fixture
def hero(project):
    return project.characters.order_by("id").first()


def run(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.character_image_request(**kwargs)
    job.refresh_from_db()
    return job


# --- the first finished image ---------------------------------------------------------------------

def test_a_characters_first_finished_image_becomes_its_sheet(creator, hero, celery_eager,
                                                              django_capture_on_commit_callbacks):
    first = run(django_capture_on_commit_callbacks, user=creator, character=hero)
    second = run(django_capture_on_commit_callbacks, user=creator, character=hero)

    hero.refresh_from_db()
    assert first.status == second.status == "succeeded"
    assert hero.primary_image == first.output_asset and first.output_asset.is_primary
    second.output_asset.refresh_from_db()
    assert not second.output_asset.is_primary  # a later image never replaces the sheet


def test_the_creator_can_change_the_automatic_sheet(creator, hero, celery_eager, django_capture_on_commit_callbacks):
    first = run(django_capture_on_commit_callbacks, user=creator, character=hero)
    upload = media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(hero),
                                        source_type="uploaded")
    gallery_services.asset_set_primary(asset=upload)

    hero.refresh_from_db()
    first.output_asset.refresh_from_db()
    assert hero.primary_image == upload and not first.output_asset.is_primary


def test_a_character_with_a_sheet_keeps_it(creator, hero, celery_eager, django_capture_on_commit_callbacks):
    sheet = media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(hero),
                                       source_type="uploaded")
    gallery_services.asset_set_primary(asset=sheet)
    job = run(django_capture_on_commit_callbacks, user=creator, character=hero)

    hero.refresh_from_db()
    assert hero.primary_image == sheet and not MediaAsset.objects.get(pk=job.output_asset_id).is_primary


def test_a_video_or_a_moodboards_image_is_never_a_characters_sheet(creator, hero, project):
    video = MediaAsset.objects.create(owner=creator, project=project, target_kind="character",
                                      target_id=hero.public_id, media_type="video", mime="video/mp4")
    board = Moodboard.objects.create(project=project, title="Pier")
    image = media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(board))
    assert not gallery_services.sheet_set_if_missing(asset=video)
    assert not gallery_services.sheet_set_if_missing(asset=image)
    hero.refresh_from_db()
    assert hero.primary_image is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.requires_postgres
def test_of_two_images_finishing_at_once_only_the_first_becomes_the_sheet(seeded_defaults, user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    project = make_project(user, characters=1, scenes=0, locations=0)
    hero = project.characters.get()
    a, b = (media_services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(hero))
            for _ in range(2))
    first_in, results = threading.Event(), {}

    def finish(asset, hold_open: bool):
        try:
            with transaction.atomic():
                results[asset.pk] = gallery_services.sheet_set_if_missing(asset=asset)
                if hold_open:  # still inside the job's transaction when the other one arrives
                    first_in.set()
                    threading.Event().wait(0.5)
        finally:
            connection.close()

    slow = threading.Thread(target=finish, args=(a, True))
    slow.start()
    first_in.wait(5)
    fast = threading.Thread(target=finish, args=(b, False))
    fast.start()
    slow.join(10)
    fast.join(10)

    hero.refresh_from_db()
    assert results == {a.pk: True, b.pk: False}
    assert hero.primary_image_id == a.pk
    assert list(MediaAsset.objects.filter(target_id=hero.public_id, is_primary=True)) == [a]


# --- the buttons on the cards ---------------------------------------------------------------------

def test_cards_show_use_as_reference_sheet_and_set_as_cover_as_buttons(client, creator, project, hero):
    sheet, other = (media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(hero))
                    for _ in range(2))
    gallery_services.asset_set_primary(asset=sheet)
    own = media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(project))
    client.force_login(creator)

    fragment = client.get(reverse("studio:target_gallery"), {"target": f"character:{hero.public_id}"}).content.decode()
    assert f'id="asset-{other.public_id}-primary"' in fragment and f'id="asset-{sheet.public_id}-primary"' not in fragment
    button = fragment[fragment.index(f'id="asset-{other.public_id}-primary"'):]
    assert "Use as reference sheet" in button[:button.index("</button>")]
    assert fragment.index(f'id="asset-{other.public_id}-primary"') > fragment.index(f'id="asset-{other.public_id}-menu"') \
        > 0  # outside the menu, after it
    menu = fragment[fragment.index(f'id="asset-{other.public_id}-menu"'):fragment.index(f'id="asset-{other.public_id}-primary"')]
    assert "</details>" in menu

    page = client.get(reverse("studio:gallery", args=[project.public_id])).content.decode()
    assert f'id="pg-{own.public_id}-primary"' in page and "Set as cover" in page
    assert f'id="pg-{other.public_id}-primary"' in page and f'id="pg-{sheet.public_id}-primary"' not in page

    asset_page = client.get(reverse("studio:asset", args=[other.public_id])).content.decode()
    assert "Use as reference sheet" in asset_page

    response = client.post(reverse("studio:asset_action", args=[own.public_id, "primary"]),
                           {"next": reverse("studio:gallery", args=[project.public_id])})
    assert response.status_code == 302 and response["Location"] == reverse("studio:gallery", args=[project.public_id])
    project.refresh_from_db()
    assert project.cover == own


# --- the moodboard's missing sheets ---------------------------------------------------------------

@pytest.fixture
def board(project, hero, creator):
    board = Moodboard.objects.create(project=project, title="Pier")
    board.characters.set(project.characters.all())
    sheet = media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(hero))
    gallery_services.asset_set_primary(asset=sheet)  # one of the three has a sheet already
    return board


def test_the_moodboard_panel_quotes_the_missing_sheets_before_the_click(client, creator, board, hero):
    client.force_login(creator)
    each = jobs.job_quote(user=creator, kind=Generation.Kind.CHARACTER_IMAGE)["cost"]

    page = client.get(reverse("studio:moodboard", args=[board.public_id])).content.decode()

    offer = page[page.index(f'id="sheets-{board.public_id}"'):]
    offer = offer[:offer.index('class="gen-form"')]
    assert "Character 1" in offer and "Character 2" in offer and hero.name not in offer
    assert "Generate the 2 missing sheets" in offer
    assert f"{2 * each} credits in all ({each} each)" in offer


def test_one_click_makes_one_job_per_character_without_a_sheet(client, creator, board, hero):
    client.force_login(creator)
    url = reverse("studio:moodboard_sheets", args=[board.public_id])

    response = client.post(url, {"idempotency_key": "k1"}, HTTP_HX_REQUEST="true")
    again = client.post(url, {"idempotency_key": "k1"}, HTTP_HX_REQUEST="true")  # a double click

    made = Generation.objects.filter(kind="character_image")
    assert made.count() == 2
    assert {j.target_id for j in made} == {c.public_id for c in board.characters.exclude(pk=hero.pk)}
    assert all(j.hold_id and j.credits_quoted > 0 for j in made)  # the normal request: quoted and held
    body = response.content.decode()
    assert body.count('class="job job--') == 2 and f'hx-swap-oob="afterbegin:#gen-{board.public_id}-jobs"' in body
    assert "Drawing the reference sheets of" in body
    assert 'class="job job--' not in again.content.decode()
    # While they are drawn the offer polls itself; once every sheet is there the page reloads.
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    made.update(status="succeeded")
    assert client.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_the_missing_sheets_are_refused_whole_when_credits_are_short(client, creator, board):
    account = credit_account_for(user=creator)
    ledger.credits_admin_adjust(account=account, delta=-(account.available - 1), reason="test", actor=None)
    client.force_login(creator)

    response = client.post(reverse("studio:moodboard_sheets", args=[board.public_id]), {"idempotency_key": "k"},
                           HTTP_HX_REQUEST="true")

    assert 'data-error-code="INSUFFICIENT_CREDITS"' in response.content.decode()
    assert not Generation.objects.exists()


def test_the_missing_sheets_are_refused_whole_past_the_running_jobs_cap(creator, board, settings):
    settings.GENERATION_MAX_ACTIVE = 1
    with pytest.raises(jobs.TooManyJobs):
        jobs.sheets_request(user=creator, characters=list(board.characters.all()))
    assert not Generation.objects.exists()


def test_someone_elses_moodboard_is_a_404(client, outsider, board):
    client.force_login(outsider)
    assert client.post(reverse("studio:moodboard_sheets", args=[board.public_id])).status_code == 404
    assert not Generation.objects.exists()

