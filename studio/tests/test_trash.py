import pytest
from django.core.management import call_command
from django.utils import timezone

from studio import services
from studio.models import Project

from .factories import give_plan, make_project


@pytest.mark.django_db
def test_trash_older_than_30_days_is_purged(user, capsys):
    give_plan(user)
    old = make_project(user, title="Old")
    recent = make_project(user, title="Recent")
    services.project_delete(project=old)
    services.project_delete(project=recent)
    Project.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timezone.timedelta(days=31))

    call_command("purge_trash", dry_run=True)
    assert "1 project(s)" in capsys.readouterr().out
    call_command("purge_trash")

    assert list(Project.objects.values_list("title", flat=True)) == ["Recent"]
