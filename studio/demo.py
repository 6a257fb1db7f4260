"""The demo creator's bible: a filled project so a fresh install shows what MODO does.

Made through the services, like a creator would; its pictures are drawn by the offline `local`
provider (no network, no credits: seeding is not a generation)."""

from aiproviders.adapters.base import ImageRequest
from aiproviders.adapters.local import LocalAdapter
from aiproviders.models import Provider
from aiproviders.router import config_for
from media import services as media_services

from . import moodboards, services
from .gallery import services as gallery_services
from .models import Project
from .targets import target_of

TITLE = "Lanterns of Kota Hujan"

CAST = [
    dict(name="Laras", role="protagonist", age="12",
         appearance="small and quick, short black hair, freckles, bright brown eyes",
         clothing="a yellow raincoat over a batik shirt", accessories="a paper lantern that glows blue",
         personality="curious, stubborn, kind to strangers", motivation="to bring her grandfather's voice back",
         backstory="Raised by her grandfather, the last lantern-keeper of Kota Hujan.",
         visual_style="soft watercolour, warm lantern light against blue rain"),
    dict(name="Pak Darto", role="mentor", age="74", appearance="tall, thin, white beard, kind wrinkled eyes",
         clothing="a faded blue sarong and a straw hat", accessories="a ring of brass keys",
         personality="patient, funny, secretly afraid", motivation="to protect the rain spirits",
         backstory="He stopped speaking the night the monsoon did not come.", visual_style="soft watercolour"),
    dict(name="Hujan", role="supporting", age="timeless", appearance="a spirit made of rain, shaped like a heron",
         clothing="none", accessories="a necklace of raindrops", personality="shy, playful, ancient",
         motivation="to be heard again", backstory="The city forgot its name.", visual_style="translucent, glowing"),
]


def _picture(prompt: str, subject: dict, width: int, height: int) -> bytes:
    """A picture from the offline provider (b"" when it has been removed from the admin)."""
    provider = Provider.objects.filter(kind="local").first()
    if provider is None:
        return b""
    return LocalAdapter(config_for(provider)).generate_image("local-image", ImageRequest(prompt=prompt, subject=subject, width=width,
                                                             height=height, style="cinematic")).data


def demo_bible_create(*, user) -> Project:
    """The filled demo project for `user` (story, cast, world, scenes, a moodboard, pictures)."""
    project = services.project_create(
        owner=user, title=TITLE, genre="fantasy", format="series", tone="warm, wistful, adventurous",
        target_audience="families, 8+",
        logline="A girl who can hear the rain speak must guide the last lantern-keeper home before the monsoon ends.",
        premise="In a drowned Indonesian city where lanterns keep the rain spirits calm, a girl discovers that "
                "the spirits are not angry — they are lonely.")
    services.story_update(project=project, synopsis="When the monsoon stalls over Kota Hujan, Laras follows a "
                          "heron made of rain through flooded markets to wake her grandfather's voice.",
                          themes="Listening; memory; courage to be gentle.", structure="three_act")
    services.beats_apply_template(project=project, structure="three_act")
    cast = [services.character_create(project=project, **fields) for fields in CAST]
    services.relationship_add(source=cast[1], target=cast[0], kind="mentor", note="Her grandfather.")
    services.world_update(project=project, setting="Kota Hujan, a canal city on stilts where it always rains.",
                          history="The city was built by lantern-keepers who sang to the rain.",
                          culture="Markets on boats, wayang shadow plays, lantern festivals.",
                          rules="A lantern's light lets spirits be seen; a spirit unseen for a year fades.")
    market = services.location_create(project=project, name="The Floating Market",
                                      description="Boats tied together into streets.",
                                      visual_notes="Tarpaulins, steam, orange lanterns, rain.")
    tower = services.location_create(project=project, name="The Lantern Tower",
                                     description="The tallest stilt house, where the great lantern sleeps.",
                                     visual_notes="Bamboo scaffolding, brass, blue glow.")
    first = services.scene_create(project=project, title="The heron in the rain", location=market,
                                  characters=cast[:1] + cast[2:], mood="curious",
                                  description="Laras sees a heron made of water among the boats.")
    services.scene_create(project=project, title="Grandfather's silence", location=tower, characters=cast[:2],
                          mood="tender", description="Laras finds Pak Darto at the dark lantern.")

    for character in cast:
        data = _picture(f"{character.name}, {character.appearance}", {"name": character.name,
                        "traits": [character.clothing]}, 768, 768)
        if data:
            sheet = media_services.asset_store(data=data, mime="image/png", owner=user, target=target_of(character),
                                               storage_to="platform",
                                               generation={"model": "Offline demo", "prompt": character.appearance})
            gallery_services.asset_set_primary(asset=sheet)
    cover = _picture(project.logline, {"name": TITLE, "traits": ["rain", "lanterns"]}, 1216, 832)
    if cover:
        gallery_services.asset_set_primary(asset=media_services.asset_store(
            data=cover, mime="image/png", owner=user, target=target_of(project), storage_to="platform",
            generation={"model": "Offline demo", "prompt": project.logline}))
    moodboards.moodboard_create(project=project, title="Meeting Hujan", scene=first, location=market,
                                characters=[cast[0], cast[2]], pose="Laras reaching out, the heron bowing",
                                action="lantern light turning the rain blue")
    return project
