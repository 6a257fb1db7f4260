import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from credits import orders
from credits.models import Plan
from studio import selectors, services, tasks
from studio.exports.background import EXPORT_TTL_SECONDS, exports_purge
from studio.exports.dump import bible_dump, bible_json
from studio.exports.importer import bible_import, bundle_parse
from studio.exports.markdown import bible_markdown_zip
from studio.models import Character, Project, Relationship, Scene, Story
from studio.moodboards import moodboard_create

pytestmark = pytest.mark.django_db


def _with_plan(user, code="premium"):
    order = orders.order_create(user=user, plan=Plan.objects.get(code=code))
    orders.order_mark_paid(order=order)
    return user


@pytest.fixture
def creator(user):
    return _with_plan(user)


@pytest.fixture
def importer(db):
    return _with_plan(UserFactory())


@pytest.fixture
def bible(creator):
    project = services.project_create(
        owner=creator, title="Garuda Rising", logline="A girl who can hear volcanoes must stop one waking.",
        premise="On a Javanese island of sleeping volcanoes...", genre="folklore", tone="warm, mythic",
        format="series", target_audience="Families, 8+", status="in_progress",
    )
    services.story_update(project=project, synopsis="Sari follows the rumble.", themes="Listening; courage",
                          structure=Story.Structure.THREE_ACT)
    services.beats_apply_template(project=project, structure=Story.Structure.THREE_ACT)
    services.world_update(project=project, setting="Island of Merapi Kecil", history="The old pact.",
                          culture="Gamelan at dusk.", rules="Volcanoes speak to a few.")
    sari = services.character_create(project=project, name="Sari", role="protagonist", age="12",
                                     personality="Stubborn, kind", backstory="Born in an eruption year",
                                     motivation="Save her village", appearance="Short hair", clothing="Batik",
                                     accessories="Bamboo flute", visual_style="Soft watercolour")
    pak_budi = services.character_create(project=project, name="Pak Budi", role="mentor", age="70")
    raka = services.character_create(project=project, name="Raka", role="antagonist")
    services.relationship_add(source=pak_budi, target=sari, kind="mentor", note="Teaches her to listen")
    services.relationship_add(source=raka, target=sari, kind="rival")
    village = services.location_create(project=project, name="Kampung Lereng", description="A village on the slope",
                                       visual_notes="Terraces, mist")
    crater = services.location_create(project=project, name="The crater", description="Where it sleeps")
    beats = list(project.beats.all())
    services.scene_create(project=project, title="The rumble", beat=beats[0], location=village,
                          characters=[sari, pak_budi], mood="uneasy", description="Sari hears it first.",
                          script="INT. SARI'S HOUSE - NIGHT\n\nSari sits up.\n\n```not a fence```")
    services.scene_create(project=project, title="Into the crater", beat=beats[5], location=crater,
                          characters=[sari, raka], mood="tense", description="The climb.",
                          script="EXT. CRATER - DAWN\n\nRAKA\nYou're too late.")
    services.scene_create(project=project, title="Quiet morning", description="No links at all.")
    moodboard_create(project=project, title="Ash over the village", scene=project.scenes.first(), location=village,
                     characters=[sari, raka], pose="back to back", action="watching the crater glow", notes="Orange sky")
    moodboard_create(project=project, title="Loose idea")
    return Project.objects.get(pk=project.pk)


def _normalised(project):
    """Everything a creator sees, without ids: two equal bibles give equal dumps."""
    project = Project.objects.get(pk=project.pk)
    return {
        "project": {f: getattr(project, f) for f in services.PROJECT_FIELDS},
        "story": {f: getattr(project.story, f) for f in ("synopsis", "themes", "structure")},
        "beats": [(b.title, b.description) for b in project.beats.all()],
        "characters": [{f: getattr(c, f) for f in services.CHARACTER_FIELDS} for c in project.characters.all()],
        "relationships_by_character": {
            c.name: sorted((r["other"].name, r["kind"], r["note"], r["outgoing"]) for r in selectors.relationships_of(c))
            for c in project.characters.all()
        },
        "world": {f: getattr(project.world, f) for f in ("setting", "history", "culture", "rules")},
        "locations": [(loc.name, loc.description, loc.visual_notes) for loc in project.locations.all()],
        "scenes": [
            (s.title, s.beat.title if s.beat else None, s.location.name if s.location else None,
             [c.name for c in s.characters.all()], s.mood, s.description, s.script)
            for s in selectors.scenes_of(project)
        ],
        "moodboards": [
            (m.title, m.scene.title if m.scene else None, m.location.name if m.location else None,
             sorted(c.name for c in m.characters.all()), m.pose, m.action, m.notes)
            for m in selectors.moodboards_of(project)
        ],
    }


def _public_ids(project):
    ids = {project.public_id}
    for related in (project.beats, project.characters, project.locations, project.scenes, project.moodboards):
        ids |= set(related.values_list("public_id", flat=True))
    return ids


def _export(client, project, fmt):
    return client.post(reverse("studio:export", args=[project.public_id, fmt]))


def _upload(client, content: bytes, name="bible.json"):
    return client.post(reverse("studio:import"), {"file": SimpleUploadedFile(name, content, "application/json")})


# --- JSON export and import ------------------------------------------------------------------------

def test_json_export_is_complete_and_has_no_owner_or_internal_ids(client, creator, bible):
    client.force_login(creator)
    response = _export(client, bible, "json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{bible.slug}.json"'
    data = json.loads(response.content)
    assert data["format"] == "modo-bible" and data["version"] == 1 and data["exported_at"]
    assert data["project"]["title"] == "Garuda Rising"
    assert [b["title"] for b in data["beats"]][:2] == ["Setup", "Inciting incident"]
    sari = next(c for c in data["characters"] if c["name"] == "Sari")
    assert sari["ref"] == str(Character.objects.get(name="Sari").public_id)
    assert sari["accessories"] == "Bamboo flute"
    assert {(r["source"], r["target"], r["kind"]) for r in data["relationships"]} == {
        (str(Character.objects.get(name=a).public_id), sari["ref"], kind) for a, kind in (("Pak Budi", "mentor"), ("Raka", "rival"))
    }
    first = data["scenes"][0]
    assert first["location"] == data["locations"][0]["ref"] and first["beat"] == data["beats"][0]["ref"]
    assert data["scenes"][2]["beat"] is None and data["scenes"][2]["characters"] == []
    text = response.content.decode()
    assert creator.email not in text and str(creator.public_id) not in text
    assert '"id"' not in text and '"owner' not in text


def test_json_round_trip_makes_an_equal_project_owned_by_the_importer(client, creator, importer, bible):
    client.force_login(creator)
    exported = _export(client, bible, "json").content

    client.force_login(importer)
    response = _upload(client, exported)

    copy = Project.objects.get(owner=importer)
    assert response.status_code == 302
    assert response["Location"] == reverse("studio:project", args=[copy.public_id])
    assert copy.title == "Garuda Rising"  # the importer has no project of that title
    assert _normalised(copy) == _normalised(bible)
    assert _public_ids(copy).isdisjoint(_public_ids(bible))
    assert Relationship.objects.filter(source__project=copy).count() == 2
    assert Project.objects.filter(owner=creator).count() == 1


def test_import_appends_imported_only_when_the_title_is_taken(client, creator, bible):
    client.force_login(creator)
    exported = _export(client, bible, "json").content

    _upload(client, exported)

    titles = sorted(Project.objects.filter(owner=creator).values_list("title", flat=True))
    assert titles == ["Garuda Rising", "Garuda Rising (imported)"]


def test_a_long_taken_title_is_shortened_to_fit_the_imported_suffix(creator):
    long_title = "Saga " * 24  # 120 characters once stripped of the last space
    project = services.project_create(owner=creator, title=long_title)

    copy = bible_import(user=creator, bundle=bundle_parse(bible_json(project)))

    assert len(copy.title) <= 120 and copy.title.endswith(" (imported)")
    assert copy.title.startswith("Saga Saga")


def test_an_export_edited_by_hand_imports_in_its_order(client, creator, importer, bible):
    data = bible_dump(bible)
    data["beats"] = [{"ref": "b2", "order": 5, "title": "Second"}, {"ref": "b1", "order": 1, "title": "First"}]
    data["scenes"] = [{"ref": "s1", "title": "Only scene", "beat": "b2", "characters": [data["characters"][0]["ref"]] * 2}]
    data["moodboards"] = [{"ref": "m1", "title": "Board", "scene": "s1"}]
    client.force_login(importer)

    _upload(client, json.dumps(data).encode())

    copy = Project.objects.get(owner=importer)
    assert [b.title for b in copy.beats.all()] == ["First", "Second"]
    scene = copy.scenes.get()
    assert scene.beat.title == "Second" and [c.name for c in scene.characters.all()] == ["Sari"]
    assert copy.moodboards.get().scene == scene


def _valid_bundle():
    return {"format": "modo-bible", "version": 1, "project": {"title": "Tiny"},
            "characters": [{"ref": "a", "name": "A"}, {"ref": "b", "name": "B"}]}


@pytest.mark.parametrize("content, message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not valid JSON"),
    (json.dumps([1, 2]).encode(), "not a MODO bible export"),
    (json.dumps({**_valid_bundle(), "format": "something-else"}).encode(), "not a MODO bible export"),
    (json.dumps({**_valid_bundle(), "version": 2}).encode(), "version (2)"),
    (json.dumps({**_valid_bundle(), "version": True}).encode(), "version (True)"),
    (json.dumps({"format": "modo-bible", "version": 1}).encode(), "no “project” section"),
    (json.dumps({**_valid_bundle(), "project": "Tiny"}).encode(), "expected an object"),
    (json.dumps({**_valid_bundle(), "project": {"title": ""}}).encode(), "title"),
    (json.dumps({**_valid_bundle(), "project": {"title": "x" * 121}}).encode(), "at most 120 characters"),
    (json.dumps({**_valid_bundle(), "project": {"title": "Tiny", "genre": "western"}}).encode(), "not a valid choice"),
    (json.dumps({**_valid_bundle(), "characters": {"a": 1}}).encode(), "must be a list"),
    (json.dumps({**_valid_bundle(), "characters": [{"name": "No ref"}]}).encode(), "“ref” is missing"),
    (json.dumps({**_valid_bundle(), "characters": [{"ref": "a", "name": "A"}, {"ref": "a", "name": "B"}]}).encode(),
     "used twice"),
    (json.dumps({**_valid_bundle(), "characters": [{"ref": "a", "name": 7}]}).encode(), "expected text"),
    (json.dumps({**_valid_bundle(), "relationships": [{"source": "a", "target": "zzz", "kind": "ally"}]}).encode(),
     "not in the file"),
    (json.dumps({**_valid_bundle(), "relationships": [{"source": "a", "target": "a", "kind": "ally"}]}).encode(),
     "two different characters"),
    (json.dumps({**_valid_bundle(), "relationships": [{"source": "a", "target": "b", "kind": "spouse"}]}).encode(),
     "not a valid choice"),
    (json.dumps({**_valid_bundle(), "scenes": [{"ref": "s", "title": "S", "location": "nowhere"}]}).encode(),
     "not in the file"),
    (json.dumps({**_valid_bundle(), "scenes": [{"ref": "s", "title": "S", "order": -1}]}).encode(), "“order”"),
])
def test_a_bad_file_is_a_form_error_and_creates_nothing(client, creator, content, message):
    client.force_login(creator)

    response = _upload(client, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "field--invalid" in response.content.decode()
    assert not Project.objects.exists()


def test_a_file_over_5_mb_is_refused(client, creator):
    client.force_login(creator)
    content = json.dumps({**_valid_bundle(), "padding": "x" * (5 * 1024 * 1024)}).encode()

    response = _upload(client, content)

    assert "larger than 5 MB" in response.content.decode()
    assert not Project.objects.exists()


def test_the_plan_project_limit_is_a_form_error_with_a_link_to_plans(client, user):
    services.project_create(owner=user, title="My only trial project")  # the trial allows one
    client.force_login(user)

    response = _upload(client, json.dumps(_valid_bundle()).encode())

    content = response.content.decode()
    assert "Upgrade to start another" in content
    assert reverse("credits:subscription") in content and 'id="import-upgrade"' in content
    assert Project.objects.filter(owner=user).count() == 1


def test_a_failure_halfway_through_the_import_leaves_nothing_behind(creator, bible, monkeypatch):
    bundle = bundle_parse(bible_json(bible))

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "scene_create", broken)
    with pytest.raises(RuntimeError):
        bible_import(user=creator, bundle=bundle)

    assert Project.objects.filter(owner=creator).count() == 1
    assert Character.objects.count() == 3 and Scene.objects.count() == 3


def test_the_import_page_shows_the_form(client, creator):
    client.force_login(creator)

    response = client.get(reverse("studio:import"))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


# --- Markdown zip -----------------------------------------------------------------------------------

def test_markdown_zip_has_one_file_per_section_character_and_scene(client, creator, bible):
    client.force_login(creator)

    response = _export(client, bible, "zip")

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{bible.slug}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted([
        "README.md", "story.md", "world.md",
        "characters/sari.md", "characters/pak-budi.md", "characters/raka.md",
        "scenes/01-the-rumble.md", "scenes/02-into-the-crater.md", "scenes/03-quiet-morning.md", "moodboards.md",
    ])
    read = lambda name: archive.read(name).decode()  # noqa: E731
    readme = read("README.md")
    assert "# Garuda Rising" in readme and "A girl who can hear volcanoes" in readme
    assert "Folklore & myth" in readme and "Series" in readme and "Families, 8+" in readme
    assert "(characters/sari.md)" in readme and "(scenes/01-the-rumble.md)" in readme
    story = read("story.md")
    assert "Sari follows the rumble." in story and "Listening; courage" in story and "### 1. Setup" in story
    sari = read("characters/sari.md")
    assert "# Sari" in sari and "Protagonist" in sari and "Bamboo flute" in sari
    assert "[Pak Budi](pak-budi.md) → **Mentor of** → Sari — Teaches her to listen" in sari
    assert "Pak Budi → **Mentor of** → [Sari](sari.md)" in read("characters/pak-budi.md")
    world = read("world.md")
    assert "Island of Merapi Kecil" in world and "### Kampung Lereng" in world and "Terraces, mist" in world
    scene = read("scenes/01-the-rumble.md")
    assert "# 1. The rumble" in scene and "Kampung Lereng" in scene and "Setup" in scene and "uneasy" in scene
    # The script holds ``` itself, so its fence is longer.
    assert "````\nINT. SARI'S HOUSE - NIGHT" in scene and scene.rstrip().endswith("````")


def test_markdown_file_names_stay_unique_and_safe(creator):
    project = services.project_create(owner=creator, title="Names")
    for name in ("Ana", "Ana", "../../etc", "空"):
        services.character_create(project=project, name=name)

    names = zipfile.ZipFile(io.BytesIO(bible_markdown_zip(project))).namelist()

    assert sorted(n for n in names if n.startswith("characters/")) == [
        "characters/ana-2.md", "characters/ana.md", "characters/character-4.md", "characters/etc.md"]


# --- HTML pitch bible -------------------------------------------------------------------------------

def test_pitch_bible_page_has_cover_characters_world_story_and_scenes(client, creator, bible):
    client.force_login(creator)

    response = client.get(reverse("studio:export", args=[bible.public_id, "html"]))

    content = response.content.decode()
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert "<title>Garuda Rising · Pitch bible</title>" in content
    assert "A girl who can hear volcanoes" in content and "Folklore &amp; myth" in content
    for text in ("Sari", "Pak Budi", "Raka", "Teaches her to listen", "Island of Merapi Kecil", "Kampung Lereng",
                 "Sari follows the rumble.", "Inciting incident", "Into the crater", "RAKA\nYou&#x27;re too late."):
        assert text in content
    assert "@page" in content and "size: A4" in content and "break-before: page" in content
    assert "window.print()" in content


def test_pitch_bible_downloads_as_a_file(client, creator, bible):
    client.force_login(creator)

    response = client.get(reverse("studio:export", args=[bible.public_id, "html"]) + "?download=1")

    assert response["Content-Disposition"] == f'attachment; filename="{bible.slug}.html"'
    assert "Garuda Rising" in response.content.decode()
    assert "window.print()" not in response.content.decode()  # a file has no app to print from


def test_file_exports_are_posted(client, creator, bible):
    client.force_login(creator)

    assert client.get(reverse("studio:export", args=[bible.public_id, "json"])).status_code == 405
    assert _export(client, bible, "docx").status_code == 404


def test_the_overview_actions_offer_every_export(rf, creator, bible):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = creator
    html = render_to_string("studio/export/_actions.html", {"project": bible}, request=request)

    for fmt in ("html", "pdf", "zip", "json"):
        assert reverse("studio:export", args=[bible.public_id, fmt]) in html
    assert html.count('method="post"') == 2 and "csrfmiddlewaretoken" in html
    assert reverse("studio:import") in html


# --- who may export ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, method", [("json", "post"), ("zip", "post"), ("html", "get"), ("json", "get")])
def test_an_outsider_gets_404_for_every_export(client, outsider, bible, fmt, method):
    client.force_login(_with_plan(outsider))

    response = getattr(client, method)(reverse("studio:export", args=[bible.public_id, fmt]))

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, bible):
    urls = [reverse("studio:export", args=[bible.public_id, fmt]) for fmt in ("json", "zip", "html")]
    urls += [reverse("studio:import"), reverse("studio:export_status", args=["8c3f2b5e-0000-4000-8000-000000000000"]),
             reverse("studio:export_download", args=["8c3f2b5e-0000-4000-8000-000000000000"])]
    for url in urls:
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_an_unknown_export_is_404(client, creator):
    client.force_login(creator)

    assert client.get(reverse("studio:export_status", args=["8c3f2b5e-0000-4000-8000-000000000000"])).status_code == 404


# --- background exports -----------------------------------------------------------------------------

@pytest.fixture
def large(settings):
    settings.EXPORT_SYNC_LIMIT = 2  # the bible has 3 characters + 3 scenes


def _start_background_export(client, bible, fmt, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _export(client, bible, fmt)
    export_id = response["Location"].rstrip("/").split("/")[-1]
    return response, export_id, callbacks


def test_a_large_export_runs_in_the_background_and_is_downloaded_by_its_owner(
        client, creator, outsider, bible, large, celery_eager, django_capture_on_commit_callbacks):
    client.force_login(creator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _export(client, bible, "zip")
    export_id = response["Location"].rstrip("/").split("/")[-1]
    status_url = reverse("studio:export_status", args=[export_id])
    assert response.status_code == 302 and response["Location"] == status_url
    queued = client.get(status_url)
    assert 'data-status="queued"' in queued.content.decode()
    assert 'hx-trigger="every 2s"' in queued.content.decode()

    for callback in callbacks:  # the commit: the task is enqueued and (eagerly) runs
        callback()

    ready = client.get(status_url, headers={"HX-Request": "true"})
    assert 'data-status="ready"' in ready.content.decode() and "hx-trigger" not in ready.content.decode()
    download_url = reverse("studio:export_download", args=[export_id])
    assert download_url in ready.content.decode()
    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{bible.slug}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "README.md" in archive.namelist() and "scenes/03-quiet-morning.md" in archive.namelist()
    assert default_storage.exists(f"exports/{creator.public_id}/{export_id}.zip")

    client.force_login(outsider)
    assert client.get(status_url).status_code == 404
    assert client.get(download_url).status_code == 404


def test_a_background_json_export_is_the_same_json(client, creator, bible, large, celery_eager,
                                                   django_capture_on_commit_callbacks):
    client.force_login(creator)
    _response, export_id, _callbacks = _start_background_export(client, bible, "json", django_capture_on_commit_callbacks)

    download = client.get(reverse("studio:export_download", args=[export_id]))

    data = json.loads(b"".join(download.streaming_content))
    assert download["Content-Type"] == "application/json"
    assert data["project"]["title"] == "Garuda Rising" and len(data["scenes"]) == 3


def test_export_status_survives_a_cache_the_worker_does_not_share(client, creator, bible, large):
    """`make run` without Redis: web and worker each have their own memory cache."""
    client.force_login(creator)
    response = _export(client, bible, "zip")  # enqueued on commit; this test runs the task itself
    export_id = response["Location"].rstrip("/").split("/")[-1]

    tasks.export_project(creator.pk, str(bible.public_id), "zip", export_id)
    cache.set(f"studio:export:{export_id}", {**cache.get(f"studio:export:{export_id}"), "status": "queued"})

    assert 'data-status="ready"' in client.get(reverse("studio:export_status", args=[export_id])).content.decode()
    assert client.get(reverse("studio:export_download", args=[export_id])).status_code == 200


def test_running_the_export_task_twice_keeps_one_ready_file(client, creator, bible, large):
    client.force_login(creator)
    export_id = _export(client, bible, "json")["Location"].rstrip("/").split("/")[-1]

    assert tasks.export_project(creator.pk, str(bible.public_id), "json", export_id) == "ready"
    assert tasks.export_project(creator.pk, str(bible.public_id), "json", export_id) == "ready"

    _dirs, files = default_storage.listdir(f"exports/{creator.public_id}")
    assert sorted(f for f in files if f.startswith(export_id)) == [f"{export_id}.json", f"{export_id}.status.json"]


def test_a_download_before_the_export_is_ready_goes_to_the_status_page(client, creator, bible, large):
    client.force_login(creator)
    export_id = _export(client, bible, "zip")["Location"].rstrip("/").split("/")[-1]

    response = client.get(reverse("studio:export_download", args=[export_id]))

    assert response.status_code == 302 and response["Location"] == reverse("studio:export_status", args=[export_id])


def test_an_export_of_a_project_deleted_meanwhile_fails_with_a_message(client, creator, bible, large):
    client.force_login(creator)
    export_id = _export(client, bible, "zip")["Location"].rstrip("/").split("/")[-1]
    services.project_delete(project=bible)

    assert tasks.export_project(creator.pk, str(bible.public_id), "zip", export_id) == "failed"

    content = client.get(reverse("studio:export_status", args=[export_id])).content.decode()
    assert 'data-status="failed"' in content and "no longer available" in content


def test_old_export_files_are_purged(client, creator, bible, large):
    client.force_login(creator)
    export_id = _export(client, bible, "zip")["Location"].rstrip("/").split("/")[-1]
    tasks.export_project(creator.pk, str(bible.public_id), "zip", export_id)
    later = timezone.now() + timezone.timedelta(seconds=EXPORT_TTL_SECONDS + 60)

    key = f"exports/{creator.public_id}/{export_id}.zip"

    exports_purge()
    assert default_storage.exists(key)  # still within its day
    assert exports_purge(now=later) >= 2  # the file and its status (other tests' files too)
    assert not default_storage.exists(key)
    assert not default_storage.exists(f"exports/{creator.public_id}/{export_id}.status.json")
