from types import SimpleNamespace

import pytest

from credits.exceptions import InvalidInput
from credits.pricing import quote


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        ("text", {"variant": "fast"}, 3),
        ("text", {"variant": "premium"}, 8),
        ("image", {"variant": "t2i"}, 5),
        ("image", {"variant": "i2i"}, 5),
        ("image", {"variant": "upscale"}, 5),
        ("video", {"duration": 5}, 25),
        ("video", {"duration": 3}, 25),
        ("video", {"duration": 6}, 50),
        ("video", {"duration": 10}, 50),
        ("audio", {"duration": 15}, 1),
        ("audio", {"duration": 16}, 2),
        ("audio", {"duration": 61}, 5),
        ("lipsync", {"duration": 10}, 20),
        ("lipsync", {"duration": 11}, 40),
    ],
)
def test_default_costs(kind, params, expected):
    assert quote(kind, params=params) == expected


@pytest.mark.django_db
def test_a_model_cost_overrides_the_rule_and_its_tier_picks_the_variant():
    assert quote("text", model=SimpleNamespace(credit_cost=12, tier="fast")) == 12
    assert quote("text", model=SimpleNamespace(credit_cost=None, tier="premium")) == 8


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"duration": 11}, {}, {"duration": 0}])
def test_video_outside_the_brackets_is_refused(params):
    with pytest.raises(InvalidInput):
        quote("video", params=params)
