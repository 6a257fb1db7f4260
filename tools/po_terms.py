"""Lists Indonesian msgstrs that use a variant the glossary (GLOSSARY-id.md) rules out.

    python tools/po_terms.py [locale/id/LC_MESSAGES/django.po] [label ...]

Each check is a regular expression on the translation; a hit is a line to read, not always a
mistake (e.g. "kedaluwarsa" is right for an order, wrong for credits). Exit status 1 on a hit of
the strict checks, so it can run after `make makemessages` and the translation of new strings."""

import re
import sys
from pathlib import Path

# label, regex on msgstr, strict (the variant is never right)
CHECKS = [
    ("generation → pembuatan AI", r"\bgenerasi\b", True),
    ("job → tugas", r"\bproses yang berjalan\b|\bProses ini\b", True),
    ("IP bible → bible IP", r"\bIP [Bb]ible\b", True),
    ("file → file", r"\b[Bb]erkas\b", True),
    ("prompt → prompt", r"\b[Pp]erintah\b", True),
    ("hold → pencadangan", r"\b[Pp]enahanan\b|\b[Dd]itahan\b", True),
    ("charge → pemotongan", r"\b[Tt]agihan\b|\b[Dd]itagih", True),
    ("release → cadangan dikembalikan", r"\b[Pp]elepasan\b|\b[Dd]ilepas\b", True),
    ("private → pribadi", r"\b[Pp]rivat\b", True),
    ("edit → sunting", r"\b[Ee]dit\b|\b[Dd]iedit\b|\b[Mm]engedit\b", True),
    ("cast → daftar tokoh", r"\b[Pp]emeran\b", True),
    ("audience → audiens", r"\b[Pp]enonton\b", True),
    ("out of date → usang", r"\b[Vv]ersi lama\b", True),
    ("Keep it → Jangan hapus", r"\bSimpan saja\b", True),
    ("Minor → Tokoh minor", r"\b[Ff]iguran\b", True),
    ("Love interest / Sidekick", r"\bTokoh cinta\b|^Sidekick$", True),
    ("Paid until → Aktif hingga", r"\bLunas hingga\b", True),
    ("Details → Detail", r"\b[Kk]eterangan\b", True),
    ("per started → dibulatkan ke atas", r"detik yang (?:berjalan|dimulai)", True),
    ("filter stays English", r"\b[Ss]aring\b", True),
    ("no …ya tags", r"\bya[.!?,]|, ya\b", True),
    ("Anda, not kamu", r"\b[Kk]amu\b|\b[Kk]au\b", True),
    ("showcase → etalase (read: gallery is galeri)", r"\b[Gg]aleri\b", False),
    ("expire: credits hangus, orders/links kedaluwarsa", r"\b[Kk]edaluwarsa\b", False),
    ("error: kesalahan (creator), galat (admin)", r"\b[Gg]alat\b", False),
]


def entries(path: Path):
    """(line, msgid, [msgstr...]) for every translated entry."""
    entry, key, start = {}, None, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines() + [""], 1):
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
        if match:
            if match.group(1) in ("msgid", "msgctxt") and any(k.startswith("msgstr") for k in entry):
                yield start, entry.get("msgid", ""), [v for k, v in entry.items() if k.startswith("msgstr")]
                entry = {}
            if not entry:
                start = number
            key = match.group(1)
            entry[key] = match.group(2)
        elif line.startswith('"') and key:
            entry[key] += line[1:-1]
        else:
            key = None
    if any(k.startswith("msgstr") for k in entry):
        yield start, entry.get("msgid", ""), [v for k, v in entry.items() if k.startswith("msgstr")]


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv and argv[0].endswith(".po") else Path("locale/id/LC_MESSAGES/django.po")
    labels = [a for a in argv if not a.endswith(".po")]
    found_strict = False
    all_entries = [e for e in entries(path) if e[1]]
    for label, pattern, strict in CHECKS:
        if labels and not any(word in label for word in labels):
            continue
        hits = [(n, msgid, s) for n, msgid, strs in all_entries for s in strs if re.search(pattern, s)]
        if hits:
            print(f"== {label}: {len(hits)}{'' if strict else ' (to read)'}")
            for n, msgid, s in hits:
                print(f"  {path}:{n}\n    en: {msgid}\n    id: {s}")
            found_strict |= strict
    return 1 if found_strict else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
