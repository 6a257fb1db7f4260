"""after_response: within a request the work runs once the response is closed (a failure is
logged, and the rest still runs); anywhere else it runs at once."""

import json
import logging
import uuid

import pytest
from django.http import HttpResponse
from django.urls import path

from accounts.tests.factories import bearer
from modo.after_response import after_response
from studio.generate import api as generate_api
from studio.generate import jobs
from studio.tests.factories import give_plan, make_project

events: list[str] = []


def _queue_work(request):
    after_response(lambda: events.append("work"))
    events.append("view returned")
    return HttpResponse("ok")


def _queue_failing_work(request):
    after_response(lambda: 1 / 0)
    after_response(lambda: events.append("next work"))
    return HttpResponse("ok")


urlpatterns = [path("work", _queue_work), path("failing-work", _queue_failing_work)]


@pytest.fixture(autouse=True)
def _no_events():
    events.clear()
    yield
    events.clear()


def test_outside_a_request_it_runs_at_once():
    after_response(lambda: events.append("work"))

    assert events == ["work"]


@pytest.mark.urls(__name__)
def test_within_a_request_it_runs_after_the_view_once_the_response_is_closed(client):
    response = client.get("/work")

    assert response.status_code == 200
    assert events == ["view returned", "work"]


@pytest.mark.urls(__name__)
def test_after_a_request_it_runs_at_once_again(client):
    client.get("/work")
    events.clear()

    after_response(lambda: events.append("later"))

    assert events == ["later"]


@pytest.mark.urls(__name__)
def test_a_failure_is_logged_and_the_next_work_still_runs(client, caplog):
    with caplog.at_level(logging.ERROR, logger="modo.after_response"):
        response = client.get("/failing-work")

    assert response.status_code == 200
    assert events == ["next work"]
    [record] = [r for r in caplog.records if r.name == "modo.after_response"]
    assert record.exc_info[0] is ZeroDivisionError


@pytest.mark.django_db(transaction=True)  # the job's row is really committed during the request
def test_a_generation_is_enqueued_after_its_response(client, user, seeded_defaults, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "pro")
    character = make_project(user, characters=1, scenes=0).characters.get()
    accepted = generate_api._accepted

    def recording_accepted(job):
        events.append("response")
        return accepted(job)

    monkeypatch.setattr(generate_api, "_accepted", recording_accepted)
    monkeypatch.setattr(jobs, "_enqueue", lambda job, countdown=0: events.append(f"enqueue {job.public_id}"))

    response = client.post("/api/v1/generate/character", json.dumps({"character": str(character.public_id)}),
                           content_type="application/json", **bearer(user))

    assert response.status_code == 202, response.content
    job_id = uuid.UUID(response.json()["data"]["id"])
    assert events == ["response", f"enqueue {job_id}"]
