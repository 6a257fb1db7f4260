"""A scriptable in-process adapter for router tests (the vendor adapters have their own
contract tests with HTTP stubbed at the transport)."""

from aiproviders.adapters.base import Adapter, ImageResult, ProviderError, Usage, VideoJob

# model_id → list of outcomes, consumed one per call: "ok", "503", "401", "cut" (fails mid-stream)
SCRIPT: dict[str, list[str]] = {}
CALLS: list[str] = []


def _next(model_id):
    CALLS.append(model_id)
    outcomes = SCRIPT.get(model_id) or ["ok"]
    return outcomes.pop(0) if len(outcomes) > 1 else outcomes[0]


def _raise(outcome):
    if outcome == "503":
        raise ProviderError("The AI service is busy.", permanent=False, code="http_503", detail="503 from vendor")
    if outcome == "401":
        raise ProviderError("Credentials rejected.", permanent=True, code="auth", detail="401 from vendor")


class FakeAdapter(Adapter):
    kind = "fake"

    def generate_text(self, model_id, request):
        outcome = _next(model_id)
        _raise(outcome)
        yield f"Hello from {model_id}. "
        if outcome == "cut":
            raise ProviderError("The connection dropped.", permanent=False, code="connection", detail="reset")
        yield "Second chunk."
        yield Usage(input_tokens=10, output_tokens=5, request_id=f"req-{model_id}")

    def generate_image(self, model_id, request):
        _raise(_next(model_id))
        return ImageResult(data=b"\x89PNG fake", mime="image/png", width=request.width, height=request.height,
                           request_id=f"img-{model_id}")

    def start_video(self, model_id, request):
        _raise(_next(model_id))
        return VideoJob(job_id=f"job-{model_id}", status="running")

    def test_connection(self):
        return "fake ok"
