import uuid

from credits import ledger
from credits.models import Plan
from credits.selectors import credit_account_for
from studio import services
from studio.models import Project


def give_plan(user, code: str = "premium") -> None:
    """Moves the user to a plan as the superadmin would (room for projects and generations)."""
    ledger.account_plan_change(account=credit_account_for(user=user), plan=Plan.objects.get(code=code),
                               key=f"test:{uuid.uuid4()}")


def make_project(user, *, title="The Ember Kite", characters=2, locations=1, scenes=2, beats=0) -> Project:
    """A filled project created through the services, as a creator would."""
    project = services.project_create(owner=user, title=title, logline="A kite-maker girl chases a storm spirit.",
                                      premise="In a floating archipelago, wind is currency.", genre="fantasy",
                                      tone="warm, adventurous")
    cast = [services.character_create(project=project, name=f"Character {i}", role="supporting",
                                       personality=f"Trait {i}", appearance=f"Looks {i}") for i in range(characters)]
    places = [services.location_create(project=project, name=f"Place {i}", description=f"Description {i}")
              for i in range(locations)]
    for i in range(beats):
        services.beat_create(project=project, title=f"Beat {i}")
    for i in range(scenes):
        services.scene_create(project=project, title=f"Scene {i}", description=f"Scene description {i}",
                              location=places[0] if places else None, characters=cast[:2])
    return project
