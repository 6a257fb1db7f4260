"""Router overhead per call with an instant fake adapter (no vendor time at all).

    .venv/bin/python benchmarks/router.py [--calls 2000]

What is measured is everything the router adds around a vendor call: choosing the model and its
fallbacks (one query), decrypting the provider key, building the adapter, and writing the
UsageLog row. Prints p50 / p95 in microseconds for an image call and a streamed text call."""

import argparse
import statistics
import time

from _scratch import scratch_database


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    with scratch_database("modo_bench_router"):
        from aiproviders import adapters, router
        from aiproviders.adapters.base import Adapter, ImageRequest, ImageResult, TextRequest, Usage
        from aiproviders.models import AIModel, Provider

        class Instant(Adapter):
            def generate_image(self, model_id, request):
                return ImageResult(data=b"x", mime="image/png", request_id="r")

            def generate_text(self, model_id, request):
                yield "hello "
                yield "world"
                yield Usage(input_tokens=3, output_tokens=2)

        adapters.REGISTRY["instant"] = Instant
        provider = Provider.objects.create(name="Instant", kind="instant")
        AIModel.objects.update(is_default=False)
        image = AIModel.objects.create(provider=provider, model_id="img", display_name="img", type="image", cap_t2i=True,
                                       is_default=True, priority=0)
        text = AIModel.objects.create(provider=provider, model_id="txt", display_name="txt", type="text",
                                      cap_streaming=True, is_default=True, priority=0)

        def measure(fn):
            for _ in range(50):
                fn()
            samples = []
            for _ in range(args.calls):
                started = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - started) * 1e6)
            samples.sort()
            return statistics.median(samples), samples[int(len(samples) * 0.95)]

        img = measure(lambda: router.generate_image(router.Call(type="image", model=image), ImageRequest(prompt="p")))
        txt = measure(lambda: list(router.stream_text(router.Call(type="text", model=text), TextRequest(prompt="p"))))
    print(f"router  image call: p50 {img[0]:7.0f} µs  p95 {img[1]:7.0f} µs   "
          f"text stream: p50 {txt[0]:7.0f} µs  p95 {txt[1]:7.0f} µs  ({args.calls} calls each)")


if __name__ == "__main__":
    main()
