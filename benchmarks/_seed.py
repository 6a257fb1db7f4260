"""The benchmark's two data sets, written fast: rows in bulk, credits only through credits/ledger.py.

    small: one creator with one project (5 characters, 3 scenes, a location, a moodboard, a few
           assets, usage rows, jobs and drafts) — every page has something of each kind to show —,
           a team (its owner working in it, an editor, a team account with charges, a project) and
           50 more creators (a full page of the admin's user list).
    large: one creator with 200 projects, one of them with 200 characters, 500 scenes and 5,000
           media assets; 100,000 usage-log rows over 90 days; 2,000 jobs and 2,000 drafts; 300
           more creators for the admin's user list.

Assets are rows only (no file, no thumbnail): the pages under test never open files. Call after
`_scratch.scratch_database` configured Django."""

import random
import uuid
from datetime import timedelta

PASSWORD = "bench-password-1"
OTHER_CREATORS = 50
UNLIMITED = "unlimited"


def _password_hash() -> str:
    # The web processes run production settings (PBKDF2); the in-process test settings only know
    # MD5, so the hash is made with the production hasher directly.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    return hasher.encode(PASSWORD, hasher.salt())


def _spread(rows, field: str, days: int, rng: random.Random, now):
    """created_at (auto_now_add) spread over the last `days` days, written after the bulk insert."""
    from django.db import connection

    if not rows:
        return
    table = rows[0]._meta.db_table
    values = [(row.pk, now - timedelta(seconds=rng.randrange(days * 86400))) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {field} = %s WHERE id = %s", [(when, pk) for pk, when in values])


def creator(email: str, *, superuser: bool = False, plan: str = UNLIMITED, password_hash: str | None = None):
    """A signed-up creator with a verified email and a credit account on `plan` (through the services)."""
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from credits import ledger
    from credits.models import Plan

    user = User(email=email, display_name=email.split("@")[0].title(), is_staff=superuser, is_superuser=superuser,
                password=password_hash or _password_hash())
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    account = ledger.credit_account_open(user=user)
    if plan and account.plan.code != plan:
        ledger.account_plan_change(account=account, plan=Plan.objects.get(code=plan), key=f"bench:{user.public_id}",
                                   reason="Benchmark")
    return user


def _project(owner, title: str, *, n_characters: int, n_scenes: int, n_locations: int, n_beats: int,
             n_moodboards: int, rng: random.Random, team=None):
    """One project (through studio.services; the team's when given) filled in bulk."""
    from studio import services
    from studio.models import Beat, Character, Location, Moodboard, Scene

    project = services.project_create(owner=owner, title=title, logline=f"{title}: a hero, a map and a broken promise.",
                                      genre="fantasy", tone="hopeful", team=team)
    characters = Character.objects.bulk_create(
        Character(project=project, name=f"Hero {n}", role="supporting", order=n, age=str(20 + n % 40),
                  appearance="Tall, with a red scarf and a scar over one eye.", clothing="A travelling cloak",
                  accessories="A brass compass", personality="Curious and stubborn.",
                  backstory="Grew up by the harbour. " * 8, motivation="Find the lost lighthouse.",
                  visual_style="painterly")
        for n in range(n_characters))
    locations = Location.objects.bulk_create(
        Location(project=project, name=f"Place {n}", description="A windy cliff town.", visual_notes="Blue hour.", order=n)
        for n in range(n_locations))
    beats = Beat.objects.bulk_create(Beat(project=project, title=f"Beat {n}", description="Things happen.", order=n)
                                     for n in range(n_beats))
    scenes = Scene.objects.bulk_create(
        Scene(project=project, title=f"Scene {n}", order=n, description="They meet at the harbour at dawn.",
              mood="tense", script="INT. HARBOUR - DAWN\n\nThe fog lifts." if n % 2 else "",
              location=locations[n % len(locations)] if locations else None,
              beat=beats[n % len(beats)] if beats else None)
        for n in range(n_scenes))
    if characters:
        Through = Scene.characters.through
        Through.objects.bulk_create(Through(scene_id=scene.pk, character_id=characters[(i * 3 + k) % len(characters)].pk)
                                    for i, scene in enumerate(scenes) for k in range(min(3, len(characters))))
    boards = Moodboard.objects.bulk_create(
        Moodboard(project=project, title=f"Board {n}", scene=scenes[n % len(scenes)] if scenes else None,
                  location=locations[n % len(locations)] if locations else None, pose="standing", action="looking out",
                  order=n)
        for n in range(n_moodboards))
    if characters:
        Through = Moodboard.characters.through
        Through.objects.bulk_create(Through(moodboard_id=b.pk, character_id=characters[i % len(characters)].pk)
                                    for i, b in enumerate(boards))
    return project, characters, scenes, boards


def _assets(owner, project, characters, scenes, boards, *, per_character: int, per_scene: int, per_board: int,
            for_project: int, rng: random.Random, now):
    """Generated image rows spread over the targets, one primary per character and for the project
    (the character's reference sheet and the project's cover)."""
    from media.models import MediaAsset
    from studio.generate.prompts import character_sheet_hash
    from studio.models import Character, Project

    rows = []

    def add(kind, target_id, n, primary=False, sheet_hash=None):
        params = {"style": "anime", "references": []}
        if sheet_hash is not None:
            params["sheet_hash"] = sheet_hash
        rows.append(MediaAsset(
            owner=owner, project=project, target_kind=kind, target_id=target_id, media_type="image",
            file_name=f"image-{len(rows)}.png", mime="image/png", size=800_000, width=1024, height=1024,
            source_type="generated", storage="platform", gen_model="Offline image studio",
            prompt=f"picture {len(rows)} of the harbour", params=params, credits=5, is_primary=primary,
            is_favourite=n % 7 == 0))

    for character in characters:
        current = character_sheet_hash(character)
        for n in range(per_character):
            add("character", character.public_id, n, primary=n == 0, sheet_hash=current if n % 3 else "an-older-sheet")
    for scene in scenes:
        for n in range(per_scene):
            add("scene", scene.public_id, n)
    for board in boards:
        for n in range(per_board):
            add("moodboard", board.public_id, n)
    for n in range(for_project):
        add("project", project.public_id, n, primary=n == 0)
    assets = MediaAsset.objects.bulk_create(rows, batch_size=2000)
    _spread(assets, "created_at", 90, rng, now)
    primary = {a.target_id: a for a in assets if a.is_primary}
    for character in characters:
        character.primary_image = primary.get(character.public_id)
    Character.objects.bulk_update(characters, ["primary_image"], batch_size=1000)
    Project.objects.filter(pk=project.pk).update(cover=primary.get(project.public_id))
    return assets


def _history(owner, project, characters, *, usage_rows: int, jobs: int, drafts: int, charges: int, rng: random.Random,
             now):
    """Usage-log rows, jobs and drafts over 90 days; `charges` generations held and captured
    through the ledger services (their usage rows carry the same reference)."""
    from decimal import Decimal

    from aiproviders.models import AIModel, UsageLog
    from credits import ledger
    from credits.selectors import credit_account_for
    from studio.models import Draft, Generation

    models = list(AIModel.objects.select_related("provider").order_by("id"))
    weights = [30 if m.provider.kind == "local" else 3 for m in models]
    statuses = ["ok"] * 90 + ["error"] * 5 + ["cached"] * 3 + ["partial"] * 2
    account = credit_account_for(user=owner)

    references = []
    for n in range(charges):
        reference = f"generation:{uuid.uuid4()}"
        hold = ledger.credits_hold(account=account, amount=5, reference=reference, idempotency_key=reference)
        ledger.credits_capture(hold=hold, amount=5 if n % 10 else 4)
        references.append(reference)

    rows = []
    for n in range(usage_rows):
        model = rng.choices(models, weights)[0]
        rows.append(UsageLog(
            user=owner, provider_id=model.provider_id, model=model, kind=model.type, attempt=1,
            status=rng.choice(statuses), latency_ms=rng.randrange(50, 9000), first_token_ms=rng.randrange(20, 900),
            tokens_in=rng.randrange(50, 2000), tokens_out=rng.randrange(50, 1500),
            est_cost_usd=Decimal(rng.randrange(0, 5000)) / 1_000_000,
            reference=references[n] if n < len(references) else f"draft:{uuid.uuid4()}",
            created_at=now - timedelta(seconds=rng.randrange(90 * 86400))))
        if len(rows) == 10_000:
            UsageLog.objects.bulk_create(rows)
            rows = []
    UsageLog.objects.bulk_create(rows)

    kinds = ["character_image"] * 6 + ["moodboard"] * 3 + ["animation"]
    generated = Generation.objects.bulk_create(
        Generation(owner=owner, project=project, target_kind="character",
                   target_id=characters[n % len(characters)].public_id, kind=rng.choice(kinds),
                   status="succeeded" if n % 9 else "failed", params={"references": []}, prompt="bench",
                   credits_quoted=5, cost_charged=5 if n % 9 else 0, attempts=1, progress=100)
        for n in range(jobs))
    _spread(generated, "created_at", 90, rng, now)
    written = Draft.objects.bulk_create(
        Draft(project=project, owner=owner, target_kind="character", target_id=characters[n % len(characters)].public_id,
              field="backstory", prompt="bench", text="A draft. " * 20, status="ready" if n % 8 else "incomplete",
              model_name="Offline drafts", credits_charged=3)
        for n in range(drafts))
    _spread(written, "created_at", 90, rng, now)


def _team(owner, name: str, *, members, charges: int, rng: random.Random):
    """A team (through accounts.teams) owned by `owner`, whose workspace it becomes, with `members`
    as editors, its credit account topped up and `charges` generations held and captured there by
    the owner (credits/ledger.py), and one team project."""
    from accounts import teams
    from accounts.models import Membership, Role
    from credits import ledger

    team = teams.team_create(user=owner, name=name)
    Membership.objects.bulk_create(Membership(team=team, user=member, role=Role.EDITOR) for member in members)
    account = ledger.credit_account_open(team=team)
    ledger.credits_grant(account=account, amount=1000, idempotency_key=f"bench:team:{team.public_id}", reason="Benchmark")
    for n in range(charges):
        reference = f"generation:{uuid.uuid4()}"
        hold = ledger.credits_hold(account=account, amount=5, reference=reference, idempotency_key=reference, actor=owner)
        ledger.credits_capture(hold=hold, amount=5 if n % 4 else 3, actor=owner)
    project, _characters, _scenes, _boards = _project(owner, f"{name} bible", n_characters=3, n_scenes=2, n_locations=1,
                                                      n_beats=1, n_moodboards=0, rng=rng, team=team)
    return team, project


def seed_small(*, admin_email: str = "admin@bench.example") -> dict:
    """The small set (and the superuser both sets share). Returns what the benchmark needs."""
    from django.utils import timezone

    from accounts.models import User

    rng = random.Random(1)
    now = timezone.now()
    password_hash = _password_hash()
    admin = creator(admin_email, superuser=True, password_hash=password_hash)
    user = creator("small@bench.example", password_hash=password_hash)
    # A full page of the admin's user list (50 a page) on the small set too: figure 7 then compares
    # the same page, not 6 rows against 50.
    for n in range(OTHER_CREATORS):
        creator(f"small-other-{n}@bench.example", plan="", password_hash=password_hash)
    project, characters, scenes, boards = _project(user, "Small bible", n_characters=5, n_scenes=3, n_locations=1,
                                                   n_beats=2, n_moodboards=1, rng=rng)
    _assets(user, project, characters, scenes, boards, per_character=2, per_scene=1, per_board=1, for_project=2,
            rng=rng, now=now)
    _history(user, project, characters, usage_rows=50, jobs=5, drafts=5, charges=3, rng=rng, now=now)
    # A team (figure 7's team page and team credit history): its owner works in it; small-other-1 edits.
    team_user = creator("small-team@bench.example", password_hash=password_hash)
    other = User.objects.get(email="small-other-1@bench.example")
    team, team_project = _team(team_user, "Small studio", members=[other], charges=8, rng=rng)
    return {"admin": admin, "user": user, "project": project, "characters": characters, "team_user": team_user,
            "team": team, "team_project": team_project}


def seed_large() -> dict:
    """The large set: 200 projects for one creator, one of them the big bible."""
    from django.utils import timezone

    rng = random.Random(2)
    now = timezone.now()
    password_hash = _password_hash()
    user = creator("large@bench.example", password_hash=password_hash)
    for n in range(300):
        creator(f"creator-{n}@bench.example", plan="", password_hash=password_hash)
    for n in range(199):
        _project(user, f"Side bible {n}", n_characters=2, n_scenes=3, n_locations=1, n_beats=1, n_moodboards=0, rng=rng)
    project, characters, scenes, boards = _project(user, "The big bible", n_characters=200, n_scenes=500,
                                                   n_locations=30, n_beats=15, n_moodboards=20, rng=rng)
    # 200 × 12 + 500 × 4 + 20 × 15 + 300 = 5,000 assets.
    _assets(user, project, characters, scenes, boards, per_character=12, per_scene=4, per_board=15, for_project=300,
            rng=rng, now=now)
    _history(user, project, characters, usage_rows=100_000, jobs=2_000, drafts=2_000, charges=200, rng=rng, now=now)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have by now: plans on real statistics
    return {"user": user, "project": project, "characters": characters}


def fill_rollups() -> None:
    """The analytics roll-ups (modo/rollups.py) of the last 90 days, computed again whole: the
    sets are seeded into past days, which a fill already marked complete would not look at."""
    from modo import rollups

    rollups.fill(rebuild=True)
