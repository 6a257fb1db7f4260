"""The pages of visual generation: the character's image panel, job cards and the jobs list,
moodboards, animate and the project gallery. Owners see them, anyone else gets 404, requests
are idempotent, refusals are shown in place, and the gallery reads a constant number of queries."""

import io
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from credits import ledger
from credits.selectors import credit_account_for
from media import services as media_services
from media.models import MediaAsset
from studio import moodboards
from studio.gallery import services as gallery_services
from studio.generate import jobs, prompts
from studio.models import Generation, Moodboard
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def png(width=64, height=48, color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def add_image(user, obj, **generation) -> MediaAsset:
    source = MediaAsset.Source.GENERATED if generation else MediaAsset.Source.UPLOADED
    return media_services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(obj),
                                      source_type=source, generation=generation or None)


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def project(user):
    give_plan(user, "premium")
    return make_project(user, characters=2, locations=1, scenes=1)


@pytest.fixture
def character(project):
    return project.characters.order_by("id").first()


@pytest.fixture
def moodboard(project):
    return moodboards.moodboard_create(project=project, title="Kite at dusk", characters=list(project.characters.all()),
                                       scene=project.scenes.first(), action="flying a kite")


@pytest.fixture
def picture(user, character):
    return add_image(user, character)


@pytest.fixture
def job(user, character):
    return jobs.character_image_request(user=user, character=character, idempotency_key="fixture")


def page_urls(project, character, moodboard, picture, job):
    """Every page of one creator's objects (the jobs list, everyone's own, comes on top)."""
    return [
        reverse("studio:character_image", args=[character.public_id]), reverse("studio:job", args=[job.public_id]),
        reverse("studio:moodboards", args=[project.public_id]), reverse("studio:moodboard", args=[moodboard.public_id]),
        reverse("studio:animate", args=[picture.public_id]), reverse("studio:gallery", args=[project.public_id]),
    ]


def test_owner_sees_every_page(client, user, project, character, moodboard, picture, job):
    client.force_login(user)
    for url in [reverse("studio:jobs"), *page_urls(project, character, moodboard, picture, job)]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("studio:character", args=[character.public_id])).status_code == 200
    assert client.get(reverse("studio:job_quote") + "?kind=character_image").status_code == 200
    assert client.get(reverse("studio:job_quote") + "?kind=nonsense").status_code == 404
    assert client.get(reverse("studio:asset", args=[picture.public_id])).status_code == 200


def test_outsider_gets_404_on_every_page_and_action(client, outsider, project, character, moodboard, picture, job):
    give_plan(outsider, "pro")
    client.force_login(outsider)
    post_only = [reverse("studio:job_cancel", args=[job.public_id]), reverse("studio:job_retry", args=[job.public_id]),
                 reverse("studio:moodboard_image", args=[moodboard.public_id])]
    for url in page_urls(project, character, moodboard, picture, job):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "hacked", "action": "delete", "duration": 3,
                                 "motion": "zoom_in"}).status_code in (404, 405), url
    for url in post_only:
        assert client.post(url, {"title": "hacked"}).status_code == 404, url
    assert f"job-{job.public_id}" not in client.get(reverse("studio:jobs")).content.decode()
    job.refresh_from_db()
    assert job.status == Generation.Status.QUEUED and Generation.objects.count() == 1
    assert Moodboard.objects.filter(pk=moodboard.pk, title="Kite at dusk").exists()
    assert not Generation.objects.filter(owner=outsider).exists()


def test_a_reference_of_someone_else_is_a_404(client, user, outsider, character):
    give_plan(outsider)
    theirs = add_image(outsider, make_project(outsider, characters=1).characters.get())
    client.force_login(user)
    response = client.post(reverse("studio:character_image", args=[character.public_id]),
                           {"reference": theirs.public_id, "idempotency_key": "x"}, **HX)
    assert response.status_code == 404 and not Generation.objects.exists()


def test_anonymous_is_sent_to_log_in(client, project, character, moodboard, picture, job):
    for url in [reverse("studio:jobs"), *page_urls(project, character, moodboard, picture, job)]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), url


def test_the_character_page_loads_the_generate_panel(client, user, character):
    client.force_login(user)
    page = client.get(reverse("studio:character", args=[character.public_id])).content.decode()
    assert reverse("studio:character_image", args=[character.public_id]) in page
    panel = client.get(reverse("studio:character_image", args=[character.public_id]), **HX).content.decode()
    assert 'name="idempotency_key"' in panel and 'name="style"' in panel and "<optgroup" in panel
    assert "This costs <strong>5 credits</strong>" in panel


def test_one_job_per_idempotency_key(client, user, character, picture):
    client.force_login(user)
    url = reverse("studio:character_image", args=[character.public_id])
    data = {"prompt": "smiling", "style": "anime", "size": "portrait-m", "reference": picture.public_id,
            "strength": "0.4", "idempotency_key": str(uuid.uuid4())}

    first = client.post(url, data, **HX)
    second = client.post(url, data, **HX)

    job = Generation.objects.get()
    assert (job.kind, job.target_id, job.params["style"], job.params["size"]) == (
        "character_image", character.public_id, "anime", "portrait-m")
    assert job.params["references"] == [str(picture.public_id)] and job.params["strength"] == 0.4
    for response in (first, second):
        body = response.content.decode()
        assert response.status_code == 200 and f'id="job-{job.public_id}"' in body
        assert 'hx-trigger="every 2s"' in body and 'hx-swap-oob="true"' in body  # polls; the form gets a new key
    client.post(url, {**data, "idempotency_key": str(uuid.uuid4())}, **HX)
    assert Generation.objects.count() == 2


def test_a_plain_post_makes_the_job_and_goes_to_the_jobs_page(client, user, character):
    client.force_login(user)
    response = client.post(reverse("studio:character_image", args=[character.public_id]), {"idempotency_key": "k1"})
    assert response.status_code == 302 and response.url == reverse("studio:jobs")
    assert Generation.objects.filter(owner=user, idempotency_key="k1").count() == 1


def test_the_job_runs_and_its_card_shows_the_image(client, user, character, celery_eager,
                                                   django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("studio:character_image", args=[character.public_id]),
                               {"idempotency_key": "run"}, **HX)
    job = Generation.objects.get()
    assert job.status == Generation.Status.SUCCEEDED and job.output_asset is not None
    card = client.get(reverse("studio:job", args=[job.public_id]) + "?poll=1").content.decode()
    assert "hx-trigger" not in card  # it stops polling
    assert 'data-job-finished="succeeded"' in card  # and announces itself (toast, gallery refresh)
    assert reverse("media:file", args=[job.output_asset.public_id]) in card
    assert reverse("studio:animate", args=[job.output_asset.public_id]) in card
    assert response.status_code == 200


def test_a_refusal_is_shown_in_place_with_its_action(client, outsider):
    character = make_project(outsider, characters=1, scenes=0).characters.get()  # a new creator: on the trial
    client.force_login(outsider)
    url = reverse("studio:character_image", args=[character.public_id])
    for n in range(2):
        client.post(url, {"idempotency_key": f"t{n}"}, **HX)
    assert Generation.objects.count() == 2
    # A used-up trial takes the creator to the upgrade page, which says why.
    upgrade = reverse("credits:subscription") + "?locked=1&reason=trial_generations"
    response = client.post(url, {"idempotency_key": "t3"}, **HX)
    assert response["HX-Redirect"] == upgrade
    assert Generation.objects.count() == 2
    plain = client.post(url, {"idempotency_key": "t4"})
    assert plain.status_code == 302 and plain.url == upgrade


def test_too_few_credits_offers_to_buy_some(client, user, character):
    give_plan(user, "basic")
    account = credit_account_for(user=user)
    ledger.credits_hold(account=account, amount=account.available - 2, reference="test", idempotency_key="test")
    client.force_login(user)
    panel = client.get(reverse("studio:character_image", args=[character.public_id]), **HX).content.decode()
    assert "You need 5 credits for this." in panel
    body = client.post(reverse("studio:character_image", args=[character.public_id]), {"idempotency_key": "c"},
                       **HX).content.decode()
    assert 'data-error-code="INSUFFICIENT_CREDITS"' in body and reverse("credits:subscription") + "#packages" in body


def test_cancel_and_retry_from_the_card(client, user, job):
    client.force_login(user)
    response = client.post(reverse("studio:job_cancel", args=[job.public_id]), **HX)
    job.refresh_from_db()
    assert job.status == Generation.Status.CANCELLED
    assert f"Cancelled — your {job.credits_quoted} credits were returned." in response.content.decode()
    assert response["HX-Trigger"] == "credits-changed"  # the header's balance fetches itself again
    response = client.post(reverse("studio:job_retry", args=[job.public_id]), {"view": "row"}, **HX)
    again = Generation.objects.exclude(pk=job.pk).get()
    assert again.status == Generation.Status.QUEUED and f'id="job-{again.public_id}"' in response.content.decode()
    assert 'class="job-row' in response.content.decode()
    plain = client.post(reverse("studio:job_cancel", args=[again.public_id]))
    assert plain.status_code == 302 and plain.url == reverse("studio:jobs")


def test_the_jobs_page_filters_by_state(client, user, character, job):
    done = jobs.character_image_request(user=user, character=character, idempotency_key="other")
    jobs.job_cancel(job=done)
    client.force_login(user)
    active = client.get(reverse("studio:jobs") + "?status=active").content.decode()
    cancelled = client.get(reverse("studio:jobs") + "?status=cancelled").content.decode()
    assert f"job-{job.public_id}" in active and f"job-{done.public_id}" not in active
    assert f"job-{done.public_id}" in cancelled and f"job-{job.public_id}" not in cancelled
    assert "No job is in this state." in client.get(reverse("studio:jobs") + "?status=failed").content.decode()


def test_jobs_page_is_empty_for_a_new_creator(client, outsider):
    client.force_login(outsider)
    assert "No jobs yet" in client.get(reverse("studio:jobs")).content.decode()


# --- moodboards ------------------------------------------------------------------------------------

def test_create_edit_and_delete_a_moodboard(client, user, project, character):
    client.force_login(user)
    scene, location = project.scenes.first(), project.locations.first()
    response = client.post(reverse("studio:moodboards", args=[project.public_id]), {
        "title": "Storm chase", "scene": scene.pk, "location": location.pk, "characters": [character.pk],
        "pose": "leaning into the wind", "action": "running", "notes": "for the trailer"})
    board = Moodboard.objects.get()
    assert response.status_code == 302 and response.url == reverse("studio:moodboard", args=[board.public_id])
    assert (board.title, board.scene, board.location, list(board.characters.all())) == (
        "Storm chase", scene, location, [character])
    assert "Storm chase" in client.get(reverse("studio:moodboards", args=[project.public_id])).content.decode()

    url = reverse("studio:moodboard", args=[board.public_id])
    response = client.post(url, {"title": "Storm chase II", "characters": []}, **HX)
    board.refresh_from_db()
    assert "data-saved" in response.content.decode()
    assert board.title == "Storm chase II" and board.scene is None and not board.characters.exists()

    image = add_image(user, board)
    response = client.post(url, {"action": "delete"})
    assert response.status_code == 302 and not Moodboard.objects.exists()
    image.refresh_from_db()
    assert image.deleted_at is None  # in the trash with its moodboard (Undo); purged with it after 30 days


def test_a_moodboard_cannot_link_another_projects_objects(user, project):
    other = make_project(user, title="Other", characters=1, scenes=1)
    with pytest.raises(moodboards.InvalidMoodboard):
        moodboards.moodboard_create(project=project, title="x", characters=list(other.characters.all()))
    board = moodboards.moodboard_create(project=project, title="x")
    with pytest.raises(moodboards.InvalidMoodboard):
        moodboards.moodboard_update(moodboard=board, scene=other.scenes.first())
    with pytest.raises(moodboards.InvalidMoodboard):
        moodboards.moodboard_update(moodboard=board, title="  ")


def test_missing_reference_sheets_are_named_and_nothing_is_charged(client, user, moodboard):
    client.force_login(user)
    url = reverse("studio:moodboard_image", args=[moodboard.public_id])
    response = client.post(url, {"idempotency_key": "mb"}, **HX)
    body = response.content.decode()
    assert 'data-error-code="MISSING_REFERENCES"' in body
    for c in moodboard.characters.all():
        assert c.name in body and reverse("studio:character", args=[c.public_id]) in body
    plain = client.post(url, {"idempotency_key": "mb"})
    assert plain.status_code == 422 and "Give these characters a reference sheet first" in plain.content.decode()
    assert not Generation.objects.exists()
    page = client.get(reverse("studio:moodboard", args=[moodboard.public_id])).content.decode()
    assert "No reference sheet" in page


def test_a_moodboard_with_reference_sheets_makes_a_job(client, user, moodboard):
    for c in moodboard.characters.all():
        gallery_services.asset_set_primary(asset=add_image(user, c))
    client.force_login(user)
    response = client.post(reverse("studio:moodboard_image", args=[moodboard.public_id]),
                           {"idempotency_key": "mb2", "style": "cartoon", "size": "landscape-l"}, **HX)
    job = Generation.objects.get()
    assert job.kind == "moodboard" and job.target_id == moodboard.public_id and len(job.params["references"]) == 2
    assert f'id="job-{job.public_id}"' in response.content.decode()


# --- animate ---------------------------------------------------------------------------------------

def test_animate_needs_a_plan_with_video(client, user, picture):
    client.force_login(user)  # premium: no video
    page = client.get(reverse("studio:animate", args=[picture.public_id])).content.decode()
    assert 'id="video-upgrade"' in page and 'id="animate-form"' not in page
    response = client.post(reverse("studio:animate", args=[picture.public_id]), {"duration": 3, "motion": "zoom_in"})
    assert response.status_code == 403 and not Generation.objects.exists()


def test_animate_shows_the_cost_of_each_length_and_makes_a_job(client, user, character, picture):
    give_plan(user, "pro")
    client.force_login(user)
    url = reverse("studio:animate", args=[picture.public_id])
    page = client.get(url).content.decode()
    assert 'id="animate-form"' in page and "25 credits" in page and "50 credits" in page
    response = client.post(url, {"duration": 3, "motion": "pan_left", "prompt": "gentle wind", "idempotency_key": "a1"})
    job = Generation.objects.get()
    assert (job.kind, job.params["duration"], job.params["motion"]) == ("animation", 3, "pan_left")
    assert response.status_code == 302
    assert response.url == reverse("studio:character", args=[character.public_id]) + f"?job={job.public_id}#generate"
    panel = client.get(reverse("studio:character_image", args=[character.public_id]) + f"?job={job.public_id}", **HX)
    assert f'id="job-{job.public_id}"' in panel.content.decode()


def test_a_video_cannot_be_animated(client, user, character):
    give_plan(user, "pro")
    video = MediaAsset.objects.create(owner=user, project=character.project, target_kind="character",
                                      target_id=character.public_id, media_type="video", mime="video/mp4")
    client.force_login(user)
    assert client.get(reverse("studio:animate", args=[video.public_id])).status_code == 404


# --- the project gallery ---------------------------------------------------------------------------

def fill(user, project, n):
    cast = list(project.characters.all())
    board = moodboards.moodboard_create(project=project, title="Board", characters=cast)
    targets = [*cast, project.locations.first(), project.scenes.first(), board, project]
    for i in range(n):
        target = targets[i % len(targets)]
        add_image(user, target, model="Offline image studio", prompt=f"picture {i}", credits=5,
                  params={"references": [], "sheet_hash": "old" if i % 2 else "", "style": "anime"})


def test_gallery_queries_do_not_grow_with_the_assets(client, user, project):
    client.force_login(user)
    url = reverse("studio:gallery", args=[project.public_id])
    fill(user, project, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    fill(user, project, 24)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('class="asset pg-item') == 20 and 'id="pg-more"' in page
    assert len(many) == len(one), [q["sql"] for q in many]


def test_gallery_loads_more_search_and_filters(client, user, project, character):
    fill(user, project, 25)
    fresh = add_image(user, character, model="m", prompt="a brand new lantern", params={
        "sheet_hash": prompts.character_sheet_hash(character)})
    stale = add_image(user, character, model="m", prompt="an old lantern", params={"sheet_hash": "old"})
    video = MediaAsset.objects.create(owner=user, project=project, target_kind="project", target_id=project.public_id,
                                      media_type="video", mime="video/mp4", source_type="generated")
    media_services.asset_favourite(asset=fresh, favourite=True)
    client.force_login(user)
    url = reverse("studio:gallery", args=[project.public_id])

    more = client.get(url + "?page=2", **HX).content.decode()
    assert more.count('class="asset pg-item') == 8 and "<html" not in more and 'id="pg-more"' not in more

    def ids(query):
        body = client.get(url + query).content.decode()
        return {a for a in (fresh, stale, video) if f'id="pg-{a.public_id}"' in body}, body

    assert ids("?q=LANTERN")[0] == {fresh, stale}
    assert ids("?media=video")[0] == {video}
    assert ids("?favourites=on")[0] == {fresh}
    found, body = ids("?stale=on&q=lantern")
    assert found == {stale} and "Out of date" in body
    assert ids("?source=uploaded")[0] == set()
    found, body = ids("?sort=oldest&q=lantern")
    assert body.index(f"pg-{fresh.public_id}") < body.index(f"pg-{stale.public_id}")
    assert "Nothing matches" in client.get(url + "?q=zzz").content.decode()


def test_character_gallery_marks_images_of_an_older_sheet(client, user, character):
    add_image(user, character, model="m", prompt="p", params={"sheet_hash": prompts.character_sheet_hash(character)})
    client.force_login(user)
    url = reverse("studio:target_gallery") + f"?target=character:{character.public_id}"
    assert "Out of date" not in client.get(url).content.decode()
    character.appearance = "Now with a red scarf"
    character.save()
    body = client.get(url).content.decode()
    assert "Out of date" in body and "gallery-refresh from:body" in body and "/studio/animate/" in body
