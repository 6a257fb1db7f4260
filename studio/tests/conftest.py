"""Fixtures the studio's tests share (a test module's own fixture of the same name wins)."""

import pytest

from .factories import give_plan


@pytest.fixture
def creator(user, settings, tmp_path):
    """A creator on Pro (the first plan with video), with files under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "pro")
    return user
