import pytest
from django.core.management import call_command

from accounts.models import User


@pytest.mark.django_db
def test_seed_demo_creates_a_verified_creator_once(capsys, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", email="demo@example.com", dry_run=True)
    assert not User.objects.exists()

    call_command("seed_demo", email="demo@example.com", password="demo-Pass-123")
    call_command("seed_demo", email="demo@example.com", password="demo-Pass-123")

    demo = User.objects.get()
    assert demo.check_password("demo-Pass-123")
    project = demo.projects.get()
    assert project.characters.count() == 3 and project.scenes.count() == 2 and project.moodboards.count() == 1
    assert project.cover is not None and all(c.primary_image for c in project.characters.all())
    assert demo.emailaddress_set.get().verified
    assert "already exists" in capsys.readouterr().out
