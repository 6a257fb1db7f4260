"""Determinism for the offline provider: a stable digest of any inputs, and a random generator
seeded from it, so the same request always gives the same draft, the same picture and the same id."""

import hashlib
import json
import random


def _digest(*parts) -> str:
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _rng(*parts) -> random.Random:
    return random.Random(int(_digest(*parts)[:16], 16))
