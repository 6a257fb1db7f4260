"""ModelsLab jobs on a real Celery worker (test_worker.py's harness: its own process, Redis, the
test database) against a stubbed ModelsLab: a small HTTP server in this test process, on
127.0.0.1, speaking ModelsLab's wire format. Every job answers `processing` twice (the start,
then the first fetch) before `success`; the worker must wait through both, download the output
from the stub's file host, store it, and capture the credits once. An `error` answer, an output
that is not an image and an oversized one must each fail the job and release its hold."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aiproviders import services as ai_services
from aiproviders.adapters import ProviderConfig, adapter_for, errors, modelslab
from aiproviders.adapters.base import VideoRequest
from aiproviders.models import AIModel, Provider
from credits.selectors import credit_account_for
from credits.tests.factories import assert_consistent
from media import services as media_services
from media.tests.conftest import png
from studio.gallery import services as gallery_services
from studio.generate import jobs
from studio.targets import target_of

from .factories import make_project
from .test_worker import broker, creator, settlements, wait_for, worker  # noqa: F401

pytestmark = [pytest.mark.requires_postgres, pytest.mark.requires_redis]

KEY = "ml-test-key-0000SECRET"


class StubModelsLab:
    """ModelsLab as seen from the worker: start → processing, fetch → processing, fetch → success
    (or, under the /fail prefix, → error; under /junk the output file is an HTML page)."""

    def __init__(self, video: bytes):
        self.requests: list[tuple[str, dict]] = []
        self.fetches: dict[str, int] = {}
        self.lock = threading.Lock()
        self.video = video
        self.image = png(64, 64)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])) or b"{}")
                self._json(stub.answer(self.path, body))

            def do_GET(self):
                data = stub.file(self.path)
                self.send_response(200 if data is not None else 404)
                self.send_header("content-length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def _json(self, answer):
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str, body: dict) -> dict:
        prefix, _, rest = path.partition("/api/")
        with self.lock:
            self.requests.append((f"/api/{rest}", body))
            if body.get("key") != KEY:
                return {"status": "error", "message": "Invalid Api Key"}
            if "/fetch/" not in rest:
                job_id = str(len(self.requests))
                self.fetches[job_id] = 0
                return {"status": "processing", "id": int(job_id), "eta": 1, "message": "queued"}
            job_id = rest.rsplit("/", 1)[1]
            self.fetches[job_id] += 1
            if self.fetches[job_id] < 2:
                return {"status": "processing", "id": int(job_id), "eta": 1}
            if prefix == "/fail":
                return {"status": "error", "message": "Generation failed, the model could not render this prompt"}
            ext = "mp4" if "video-fusion" in rest else "png"
            return {"status": "success", "id": int(job_id), "output": [f"{self.url}{prefix}/files/{job_id}.{ext}"]}

    def file(self, path: str) -> bytes | None:
        if path.startswith("/junk/"):
            return b"<html><body>Service temporarily unavailable</body></html>"
        if path.endswith(".png"):
            return self.image
        if path.endswith(".mp4"):
            return self.video
        return None

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    clip = adapter_for(ProviderConfig(kind="local")).start_video(
        "local-video", VideoRequest(image=png(320, 180), duration=3, width=320, height=180))
    server = StubModelsLab(clip.data)
    yield server
    server.close()


def switch_on_modelslab(base_url: str, **config) -> Provider:
    """The superadmin's two steps: paste the key, enable (its seeded models come with it)."""
    provider = ai_services.provider_set_key(provider=Provider.objects.get(kind="modelslab"), api_key=KEY)
    provider.base_url, provider.enabled = base_url, True
    provider.config = {"poll_interval": 0.2, **config}
    provider.save()
    ai_services.provider_switch_on(provider=provider)
    return provider


def with_sheets(project):
    """Each character gets a reference sheet: a moodboard of them sends one picture each."""
    for character in project.characters.all():
        sheet = media_services.asset_store(data=png(48, 48), mime="image/png", owner=project.owner,
                                           target=target_of(character))
        gallery_services.asset_set_primary(asset=sheet)


def test_character_moodboard_and_animation_through_modelslab_on_a_real_worker(creator, worker, stub):  # noqa: F811
    switch_on_modelslab(f"{stub.url}/api")
    project = make_project(creator, characters=2, scenes=1)
    cast = list(project.characters.all())
    worker()

    portrait = wait_for(jobs.character_image_request(user=creator, character=cast[0]), {"succeeded", "failed"}, 90)
    assert portrait.status == "succeeded", portrait.error_message
    assert portrait.model_used.model_id == "seedream-4.5"
    assert settlements(portrait) == ["capture"]
    assert portrait.output_asset.storage_key and stub.url not in portrait.output_asset.storage_key

    with_sheets(project)
    board = project.moodboards.create(title="Pier")
    board.characters.set(cast)
    mood = wait_for(jobs.moodboard_request(user=creator, moodboard=board), {"succeeded", "failed"}, 90)
    assert mood.status == "succeeded", mood.error_message
    assert mood.model_used.model_id == "seedream-4.5-i2i"
    assert settlements(mood) == ["capture"]

    clip = wait_for(jobs.animation_request(user=creator, source=mood.output_asset, duration=3), {"succeeded", "failed"},
                    120)
    assert clip.status == "succeeded", clip.error_message
    assert clip.model_used.model_id == "ltx-2-pro-i2v" and clip.output_asset.media_type == "video"
    assert settlements(clip) == ["capture"]

    starts = [(path, body) for path, body in stub.requests if "/fetch/" not in path]
    assert [path for path, _ in starts] == ["/api/v7/images/text-to-image", "/api/v7/images/image-to-image",
                                            "/api/v7/video-fusion/image-to-video"]
    t2i, i2i, i2v = (body for _, body in starts)
    assert t2i["model_id"] == "seedream-4.5" and "init_image" not in t2i
    # The two characters' sheets as two pictures: the multi-image input, not a composited grid.
    assert i2i["model_id"] == "seedream-4.5-i2i" and len(i2i["init_image"]) == 2
    assert (i2v["model_id"], i2v["duration"]) == ("ltx-2-pro-i2v", 3)
    assert sorted(stub.fetches.values()) == [2, 2, 2]  # each answered processing twice, then success once
    assert all(body["key"] == KEY for _, body in stub.requests)
    assert_consistent(credit_account_for(user=creator))


def test_an_error_a_non_image_and_an_oversized_output_each_release_the_hold(creator, worker, stub):  # noqa: F811
    provider = switch_on_modelslab(f"{stub.url}/fail/api")
    character = make_project(creator, characters=1, scenes=0).characters.get()
    worker()

    failed = wait_for(jobs.character_image_request(user=creator, character=character), {"succeeded", "failed"}, 90)
    assert failed.status == "failed"
    assert (failed.error_code, failed.error_message) == ("generation_failed", modelslab.FAILED)
    assert settlements(failed) == ["release"] and failed.hold.status == "released"

    provider.base_url = f"{stub.url}/junk/api"
    provider.save()
    junk = wait_for(jobs.character_image_request(user=creator, character=character, prompt="again"),
                    {"succeeded", "failed"}, 90)
    assert (junk.status, junk.error_code, junk.error_message) == ("failed", "bad_output", errors.BAD_OUTPUT)
    assert settlements(junk) == ["release"]

    provider.base_url = f"{stub.url}/api"
    provider.save()
    AIModel.objects.filter(provider=provider, model_id="seedream-4.5").update(config={"max_image_bytes": 64})
    big = wait_for(jobs.character_image_request(user=creator, character=character, prompt="bigger"),
                   {"succeeded", "failed"}, 90)
    assert big.status == "failed" and big.error_code in ("bad_output", "download_failed")
    assert settlements(big) == ["release"]
    assert_consistent(credit_account_for(user=creator))
