import json

import httpx
import pytest

from aiproviders import services as ai_services
from aiproviders.adapters.local import OFFLINE_LABEL, offline_label
from aiproviders.models import AIModel, Provider, UsageLog
from aiproviders.tests import stubs
from credits import ratelimit
from credits.models import CreditAccount, Hold, LedgerEntry
from credits.selectors import credit_account_for
from studio import services
from studio.generate import drafts
from studio.models import Draft, Story

from .factories import give_plan, make_project


def run(events):
    return list(events)


@pytest.fixture
def project(user):
    give_plan(user)
    return make_project(user)


def character(project):
    return project.characters.first()


@pytest.mark.django_db
def test_local_provider_streams_a_draft_in_order_and_captures_the_hold(user, project):
    hero = character(project)
    before = credit_account_for(user=user).available

    events = run(drafts.text_stream(user=user, project=project, target_kind="character", target_id=hero.public_id,
                                        field="backstory", prompt="She lost her mother to a storm"))

    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and kinds.count("chunk") >= 2
    text = "".join(e["text"] for e in events if e["event"] == "chunk")
    draft = Draft.objects.get()
    assert draft.text == text and text.startswith("Character 0 grew up")
    assert events[0]["offline"] == OFFLINE_LABEL and OFFLINE_LABEL not in text
    assert "She lost her mother" not in text and "Canon" not in text
    assert draft.status == "ready" and draft.credits_charged == 3
    assert "Character Character 0 (being written)" in events[0]["canon"]
    hold = Hold.objects.get(reference=f"draft:{draft.public_id}")
    assert hold.status == "captured" and hold.captured_amount == 3
    assert credit_account_for(user=user).available == before - 3
    assert UsageLog.objects.get(reference=f"draft:{draft.public_id}").credits_charged == 3


@pytest.mark.django_db
def test_accepting_a_draft_fills_the_field_and_can_be_undone(user, project):
    hero = character(project)
    hero.backstory = "Old backstory"
    hero.save()
    run(drafts.text_stream(user=user, project=project, target_kind="character", target_id=hero.public_id,
                               field="backstory", prompt=""))
    draft = Draft.objects.get()

    services.draft_accept(draft=draft)
    hero.refresh_from_db()
    assert hero.backstory == draft.text.strip()

    services.draft_undo(draft=draft)
    hero.refresh_from_db()
    assert hero.backstory == "Old backstory"


@pytest.mark.django_db
def test_accepting_an_offline_draft_writes_exactly_the_draft_and_the_showcase_shows_no_label(client, user, project):
    events = run(drafts.text_stream(user=user, project=project, target_kind="story", target_id=None,
                                    field="synopsis", prompt="3 paragraphs, and keep it hopeful"))
    draft = Draft.objects.get()
    text = "".join(e["text"] for e in events if e["event"] == "chunk")

    services.draft_accept(draft=draft)

    synopsis = Story.objects.get(project=project).synopsis
    assert synopsis == text.strip() == draft.text.strip()
    paragraphs = synopsis.split("\n\n")
    assert len(paragraphs) == 3 and all(p.strip() and "\n" not in p for p in paragraphs)
    assert synopsis.startswith("The Ember Kite opens on Character 0 at Place 0")
    for never in (OFFLINE_LABEL, "Offline", "keep it hopeful", "Canon", "Title:", "#", "---", "*"):
        assert never not in synopsis, never

    services.project_publish(project=project, sections=["story"])
    page = client.get(f"/showcase/{project.slug}/").content.decode()
    assert paragraphs[0].replace("'", "&#x27;") in page
    assert OFFLINE_LABEL not in page and "Offline draft" not in page and "keep it hopeful" not in page


@pytest.mark.django_db
def test_the_offline_label_is_in_the_creators_language(user, project):
    events = run(drafts.text_stream(user=user, project=project, target_kind="story", target_id=None,
                                    field="synopsis", prompt="dua paragraf", language="id"))

    assert events[0]["offline"] == offline_label("id") == "Draf offline — ditulis tanpa layanan AI"
    text = "".join(e["text"] for e in events if e["event"] == "chunk")
    assert text.startswith("The Ember Kite dibuka dengan") and len(text.strip().split("\n\n")) == 2


@pytest.mark.django_db
def test_a_vendor_model_draft_has_no_offline_label(user, project, openai_model):
    with stubs.mock_http() as mock:
        mock.post(CHAT).mock(return_value=httpx.Response(
            200, text=stubs.openai_chat_stream(["Once", " upon", " a storm."], usage=(120, 4)),
            headers={"content-type": "text/event-stream"}))
        events = run(drafts.text_stream(user=user, project=project, target_kind="story", target_id=None,
                                        field="synopsis", prompt=""))

    assert events[0]["offline"] == ""


KEY = "sk-studio-test-SECRET"
CHAT = "https://api.openai.com/v1/chat/completions"


@pytest.fixture
def openai_model(db):
    AIModel.objects.filter(type="text").update(enabled=False, is_default=False)
    provider = ai_services.provider_set_key(provider=Provider.objects.create(name="OpenAI (studio test)", kind="openai"), api_key=KEY)
    return AIModel.objects.create(provider=provider, model_id="gpt-4o-mini", display_name="GPT-4o mini", type="text",
                                  cap_streaming=True, is_default=True)


@pytest.mark.django_db
def test_stubbed_openai_streams_chunks_in_order_with_the_bible_in_the_prompt(user, project, openai_model):
    with stubs.mock_http() as mock:
        route = mock.post(CHAT).mock(return_value=httpx.Response(
            200, text=stubs.openai_chat_stream(["Once", " upon", " a storm."], usage=(120, 4)),
            headers={"content-type": "text/event-stream"}))
        events = run(drafts.text_stream(user=user, project=project, target_kind="story", target_id=None,
                                            field="synopsis", prompt="Keep it hopeful"))

    assert [e["text"] for e in events if e["event"] == "chunk"] == ["Once", " upon", " a storm."]
    sent = stubs.json_body(route.calls[0].request)
    prompt = " ".join(m["content"] for m in sent["messages"])
    assert "A kite-maker girl chases a storm spirit." in prompt and "Character 0" in prompt
    assert "Keep it hopeful" in prompt
    assert Hold.objects.get().status == "captured"


@pytest.mark.django_db
def test_provider_failure_mid_stream_releases_the_hold_and_keeps_the_partial_draft(user, project, openai_model):
    before = credit_account_for(user=user)
    with stubs.mock_http() as mock:
        body = stubs.openai_chat_stream(["Once", " upon a"], usage=(1, 1))
        mock.post(CHAT).mock(return_value=httpx.Response(
            200, stream=stubs.DroppingStream(body[: body.index(" upon a")].encode()),  # drops after "Once"
            headers={"content-type": "text/event-stream"}))
        events = run(drafts.text_stream(user=user, project=project, target_kind="story", target_id=None,
                                            field="synopsis", prompt=""))

    error = events[-1]
    assert error["event"] == "error" and error["partial"] is True and error["message"]
    draft = Draft.objects.get()
    assert draft.status == "incomplete" and draft.text
    hold = Hold.objects.get()
    assert hold.status == "released"
    after = CreditAccount.objects.get(pk=before.pk)
    assert (after.balance, after.held) == (before.balance, 0)
    assert UsageLog.objects.filter(status="partial").exists()


@pytest.mark.django_db
def test_a_client_that_disconnects_releases_the_hold(user, project):
    stream = drafts.text_stream(user=user, project=project, target_kind="project", target_id=None,
                                    field="premise", prompt="")
    next(stream)  # start
    next(stream)  # first chunk
    stream.close()

    assert Hold.objects.get().status == "released"
    assert Draft.objects.get().status == "incomplete"


@pytest.mark.django_db(transaction=True)
def test_the_capture_the_finished_draft_and_the_usage_row_commit_together(seeded_defaults, user, project, monkeypatch):
    """They are one transaction: when the usage row cannot be written after the capture, the
    capture and the draft's text roll back with it, the hold is released, and the vendor's work
    is still logged (without credits). (`seeded_defaults`: an earlier transactional test may
    have flushed the plans.)"""
    from aiproviders import router

    before = credit_account_for(user=user)
    written = router._log

    def log_fails_once_with_credits(call, model, **fields):
        if fields.get("credits_charged"):
            raise RuntimeError("database went away")
        return written(call, model, **fields)

    monkeypatch.setattr(router, "_log", log_fails_once_with_credits)
    stream = drafts.text_stream(user=user, project=project, target_kind="project", target_id=None,
                                field="premise", prompt="")
    with pytest.raises(RuntimeError):
        run(stream)

    hold = Hold.objects.get()
    assert hold.status == "released"
    assert not LedgerEntry.objects.filter(kind="capture").exists()
    after = CreditAccount.objects.get(pk=before.pk)
    assert (after.balance, after.held) == (before.balance, 0)
    draft = Draft.objects.get()
    assert draft.status == "incomplete" and draft.credits_charged == 0
    usage = UsageLog.objects.get(reference=f"draft:{draft.public_id}")
    assert (usage.status, usage.credits_charged) == ("ok", 0)


@pytest.mark.django_db
def test_a_character_or_a_place_is_found_among_the_cast_read_for_the_canon(user, project):
    place = project.locations.first()
    events = run(drafts.text_stream(user=user, project=project, target_kind="location", target_id=str(place.public_id).upper(),
                                    field="description", prompt=""))
    assert events[-1]["event"] == "done"
    assert Draft.objects.get().target_id == place.public_id
    with pytest.raises(drafts.TargetNotFound):
        drafts.text_stream(user=user, project=project, target_kind="location", target_id="not-a-uuid",
                           field="description", prompt="")


@pytest.mark.django_db
def test_trial_allows_two_generations_then_refuses(user):
    from credits.exceptions import TrialLimit

    project = services.project_create(owner=user, title="Trial bible")
    account = credit_account_for(user=user)
    for _ in range(2):
        run(drafts.text_stream(user=user, project=project, target_kind="project", target_id=None,
                                   field="logline", prompt=""))
    ratelimit.reset(account_id=account.pk)  # isolate the trial rule from the trial's daily limit

    with pytest.raises(TrialLimit):
        drafts.text_stream(user=user, project=project, target_kind="project", target_id=None, field="logline",
                               prompt="")
    assert Hold.objects.filter(status="held").count() == 0
    assert CreditAccount.objects.get(pk=account.pk).trial_generations_used == 2


@pytest.mark.django_db
def test_another_projects_object_is_not_a_target(user, outsider, project):
    give_plan(outsider)
    theirs = make_project(outsider, title="Theirs")

    with pytest.raises(drafts.TargetNotFound):
        drafts.text_stream(user=user, project=project, target_kind="character",
                               target_id=theirs.characters.first().public_id, field="backstory", prompt="")
    with pytest.raises(drafts.TargetNotFound):
        drafts.text_stream(user=user, project=project, target_kind="character",
                               target_id=project.characters.first().public_id, field="password", prompt="")
    assert not LedgerEntry.objects.filter(kind="hold").exists()


@pytest.mark.django_db
def test_generate_view_streams_sse_and_refuses_with_json(client, user, project):
    client.force_login(user)
    url = f"/studio/{project.public_id}/generate/"

    response = client.post(url, {"target_kind": "project", "field": "logline", "prompt": ""})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/event-stream"
    names = [line[len("event: "):] for line in body.splitlines() if line.startswith("event: ")]
    assert names[0] == "start" and names[-1] == "done"
    assert json.loads(body.split("data: ", 1)[1].split("\n", 1)[0])["cost"] == 3

    from credits import ledger

    account = credit_account_for(user=user)
    ledger.credits_hold(account=account, amount=account.available, reference="other job", idempotency_key="spend-all")
    refused = client.post(url, {"target_kind": "project", "field": "logline"})
    assert refused.status_code == 402
    assert refused.json()["error"] == "INSUFFICIENT_CREDITS" and refused.json()["action"] == "buy"


@pytest.mark.django_db
def test_generate_view_is_404_for_an_outsider(client, outsider, project):
    client.force_login(outsider)

    response = client.post(f"/studio/{project.public_id}/generate/", {"target_kind": "project", "field": "logline"})

    assert response.status_code == 404
    assert not Hold.objects.exists()
