"""Where a team project's files go: MODO storage, or the team owner's Google Drive once the owner
chose it — never a member's own Drive, whatever the member prefers (Drive stubbed with respx)."""

import pytest
from django.urls import reverse

from accounts import teams
from accounts.models import Membership
from accounts.tests.factories import UserFactory
from media import services as media_services
from media.models import DriveConnection, MediaAsset
from media.tests.conftest import png
from media.tests.test_drive_assets import connection, drive, google_client  # noqa: F401  (fixtures)
from studio import services
from studio.targets import target_of
from studio.tests.factories import make_project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_defaults")]


@pytest.fixture
def team_project(user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    team = teams.team_create(user=user, name="Drive Studio")
    project = make_project(user, characters=1, scenes=0)
    services.project_move(project=project, team=team, user=user)
    return team, project


def _store(owner, project):
    return media_services.asset_store(data=png(), mime="image/png", owner=owner,
                                      target=target_of(project.characters.get()))


def test_a_member_who_prefers_drive_still_stores_team_files_in_platform_storage(team_project, drive):  # noqa: F811
    team, project = team_project
    member = UserFactory(storage_preference="drive")
    Membership.objects.create(team=team, user=member, role="editor")
    DriveConnection.objects.create(user=member, drive_email="member@gmail.com")
    asset = _store(member, project)
    assert asset.storage == MediaAsset.Storage.PLATFORM and asset.owner == member
    assert "1NewDriveFile01" not in drive["files"]  # nobody’s Drive was written


def test_the_owner_chooses_their_drive_for_the_team_and_team_files_go_there(
        client, user, team_project, connection, drive):  # noqa: F811
    team, project = team_project
    member = UserFactory()
    Membership.objects.create(team=team, user=member, role="editor")
    client.force_login(user)
    client.post(reverse("media:team_storage"), {"preference": "drive"})
    team.refresh_from_db()
    assert team.storage_preference == "drive"
    asset = _store(member, project)
    assert asset.storage == MediaAsset.Storage.DRIVE and asset.owner == user  # the owner's Drive holds it
    assert asset.drive_file_id == "1NewDriveFile01"


def test_only_the_owner_chooses_and_only_with_a_connected_drive(client, user, team_project):
    team, _project = team_project
    admin = UserFactory()
    Membership.objects.create(team=team, user=admin, role="admin")
    client.force_login(admin)
    teams.workspace_switch(user=admin, team=team)
    assert client.post(reverse("media:team_storage"), {"preference": "drive"}).status_code == 404
    client.force_login(user)
    client.post(reverse("media:team_storage"), {"preference": "drive"})  # no Drive connected
    team.refresh_from_db()
    assert team.storage_preference == "platform"
