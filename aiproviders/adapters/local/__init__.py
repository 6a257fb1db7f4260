"""The offline `local` provider, one job per module:

    adapter.py        LocalAdapter, the common adapter interface: checks the request, delegates
    text.py           offline text drafts: the length asked for, paragraphs, streaming chunks
    writers.py        the sentences of each kind of field, from the bible and the phrasebook
    phrasebook_en.py  the words of English drafts; phrasebook_id.py those of Indonesian ones
    wording.py        tidying and joining creator text (drafts, phrasebooks, title card)
    images.py         Pillow basics: decoding references, fitting, PNG, palette, the collage
    title_card.py     the text-to-image title card
    image_styles.py   the image-to-image style presets
    video.py          pan/zoom animation of an image to MP4 (PyAV)
    seeding.py        digests and seeded RNGs: the same input gives the same output

Re-exported here: the names other modules and tests import from `aiproviders.adapters.local`."""

from .adapter import LocalAdapter
from .images import cover
from .text import OFFLINE_LABEL, PHRASEBOOK, offline_label

__all__ = ["OFFLINE_LABEL", "PHRASEBOOK", "LocalAdapter", "cover", "offline_label"]
