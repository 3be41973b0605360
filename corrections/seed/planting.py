"""Known errors to plant in fake news: a sentence with a wrong figure or name, the same sentence with the right one,
and the ways a machine writes it again elsewhere (verbatim, written otherwise, reworded).

Written once for `gen-fake --plant-errors` (seed/fake.py) and bench/repeats.py's in-memory corpus, which measure
the matcher (repeats/matching.py) on the same kinds of repeats. Pure: every choice comes from the caller's seeded
generator, and the values of a sentence's other fields from the caller's `value` (its own word lists).
"""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

# Sentences carrying a wrong figure or name, {fig}, and the kind of figure (FIGURES; "name" and "org" are drawn from
# the caller's word lists).
ERRORS = (
    ("Turnover at {org} rose {fig} per cent to £{bn}bn in {year}, the highest figure in {small} years.", "pct"),
    ("{Org} said the {topic} in {place} would cost £{fig}m, {person} told the meeting on {weekday}.", "dec"),
    ("Unemployment in {place} fell to {fig} per cent in {month} {year}, according to figures from {org}.", "dec"),
    ("A total of {count} {people} signed the petition against the {topic} in {place} within {fig} days.", "small"),
    ("The {topic} plan was approved by {fig} votes to {small} at the meeting on {weekday} {day} {month}.", "votes"),
    ("{person}, {role} {org}, was paid £{fig},000 last year, up {pct} per cent on {year}.", "thousands"),
    ("House prices in {place} rose by an average of £{fig} in the year to {month}, {org} said on {weekday}.",
     "money"),
    ("If you deposit £{small},000 in a savings account that pays {pct} per cent interest, you will earn £{fig} in "
     "the first year.", "money"),
    ("The {topic} in {place} first opened in {fig} and now has {count} regular users, {org} said.", "old_year"),
    ("About {fig} people attended the public meeting at {place} town hall on {weekday}, according to {org}.",
     "count"),
    ("{person} was appointed chair of {org} in {month} after {fig} stepped down from the role.", "name"),
    ("The {topic} in {place} is run by {fig} and not by the council, {person} said on {weekday}.", "org"),
)
FIGURES: dict[str, Callable[[random.Random], str]] = {
    "pct": lambda rng: str(rng.randint(2, 19)) if rng.random() < 0.5 else f"{rng.randint(15, 199) / 10:.1f}",
    "dec": lambda rng: f"{rng.randint(15, 199) / 10:.1f}",
    "small": lambda rng: str(rng.randint(3, 90)),
    "votes": lambda rng: str(rng.randint(16, 45)),
    "thousands": lambda rng: str(rng.randint(40, 480)),
    "money": lambda rng: f"{rng.randint(150, 48000):,}",
    "old_year": lambda rng: str(rng.randint(1890, 1990)),
    "count": lambda rng: f"{rng.randint(120, 4800):,}",
}
# Fields of ERRORS that news sentences do not have: a turnover in billions, a small percentage.
VALUES: dict[str, Callable[[random.Random], str]] = {
    "bn": lambda rng: f"{rng.randint(11, 99) / 10:.1f}",
    "pct": lambda rng: str(rng.randint(2, 19)),
}
# Words a rewording swaps (one word, or two: two changes), drops or adds.
SYNONYMS = {
    "rose": ("grew", "climbed", "increased"), "fell": ("dropped", "declined"), "said": ("stated", "confirmed"),
    "approved": ("passed", "backed"), "meeting": ("session",), "highest": ("best", "strongest"),
    "signed": ("backed", "supported"), "attended": ("joined",), "paid": ("given",), "appointed": ("named", "made"),
    "people": ("residents",), "figure": ("level",), "total": ("sum",), "earn": ("receive", "get"),
    "told": ("informed",), "regular": ("frequent",), "first": ("originally",), "public": ("open",),
    "average": ("typical average",), "within": ("in just",), "run": ("operated",), "cost": ("total",),
    "according": ("based",), "about": ("around", "some"), "role": ("post", "job"),
}
DROPPABLE = ("the ", "about ", "public ", "regular ", "savings ", "just ")
ADDABLE = (("was ", "was reportedly "), ("will ", "will also "), ("said", "said publicly"), (" in ", " in all of "),
           ("now has", "now has some"), ("by ", "by nearly "))


@dataclass(frozen=True)
class PlantedError:
    """One error to plant: the sentence with the wrong figure, with the right one, with a third one (a near miss:
    the same sentence about another fact), the figures, and `right_words`: the right sentence or only its changed
    words with a word either side, as a diff of the fixing revision may give them."""

    wrong: str
    right: str
    near_miss: str
    wrong_figure: str
    right_figure: str
    right_words: str


def figure(rng: random.Random, kind: str, avoid: set[str], name: Callable[[], str],
           org: Callable[[], str]) -> str:
    """A figure of the kind (FIGURES, or a person's `name` or an `org`), none of `avoid`."""
    draw = {"name": name, "org": org}.get(kind) or (lambda: FIGURES[kind](rng))
    while True:
        value = draw()
        if value not in avoid:
            return value


def planted_error(rng: random.Random, value: Callable[[str], str], name: Callable[[], str],
                  org: Callable[[], str]) -> PlantedError:
    """An error of one of the ERRORS' shapes: its other fields from `value(field)` (VALUES for bn and pct, where
    the caller has none), its wrong, right and third figures all different."""
    template, kind = rng.choice(ERRORS)
    names = re.findall(r"{(\w+)}", template)
    given = {field: value(field) for field in names if field != "fig"}
    wrong_value = figure(rng, kind, set(), name, org)
    right_value = figure(rng, kind, {wrong_value}, name, org)
    third_value = figure(rng, kind, {wrong_value, right_value}, name, org)
    wrong = template.format_map({**given, "fig": wrong_value})
    right = template.format_map({**given, "fig": right_value})
    near_miss = template.format_map({**given, "fig": third_value})
    if rng.random() < 0.5:
        right_words = right
    else:
        words = right.split(" ")
        at = next(i for i, w in enumerate(words) if right_value.split(" ")[0] in w)
        right_words = " ".join(words[max(0, at - 1):at + len(right_value.split(" ")) + 1])
    return PlantedError(wrong, right, near_miss, wrong_value, right_value, right_words)


def written_otherwise(rng: random.Random, sentence: str) -> str:
    """The same words written otherwise: quotes, dashes, spaces, case, per cent, billions (no word changed)."""
    for _ in range(rng.randint(1, 3)):
        how = rng.randrange(7)
        if how == 0:
            sentence = sentence.replace(" per cent", "%") if rng.random() < 0.5 else sentence.replace(
                " per cent", " percent")
        elif how == 1:
            sentence = "“" + sentence.rstrip(".") + ",” the report said." if rng.random() < 0.5 else (
                "\"" + sentence.rstrip(".") + ".\"")
        elif how == 2:
            spaces = [m.start() for m in re.finditer(" ", sentence)]
            at = rng.choice(spaces)
            sentence = sentence[:at] + rng.choice(("  ", "\u00a0", "\n", " \t")) + sentence[at + 1:]
        elif how == 3:
            sentence = sentence.replace(", ", rng.choice((" – ", " - ", " — ")), 1)
        elif how == 4:
            sentence = sentence.upper() if rng.random() < 0.2 else sentence.lower()
        elif how == 5:
            sentence = re.sub(r"£(\d+(?:\.\d+)?)bn", r"£\1 billion", sentence)
            sentence = re.sub(r"£(\d+(?:\.\d+)?)m\b", r"£\1 million", sentence)
        else:
            words = list(re.finditer(r"[a-z]{8,}", sentence))
            if words:
                word = rng.choice(words)
                cut = word.start() + 4
                sentence = sentence[:cut] + "\u00ad" + sentence[cut:]
    return sentence


def reworded(rng: random.Random, sentence: str, changes: int) -> str:
    """`changes` words (1 to 3: "a few") changed, dropped or added, numbers and names kept, then written
    otherwise."""
    done = 0
    tries = 0
    while done < changes and tries < 50:
        tries += 1
        how = rng.random()
        if how < 0.6:
            words = [w for w in SYNONYMS if re.search(rf"\b{w}\b", sentence)]
            if words:
                word = rng.choice(words)
                other = rng.choice(SYNONYMS[word])
                if done + len(other.split()) > changes:
                    continue
                sentence = re.sub(rf"\b{word}\b", other, sentence, count=1)
                done += len(other.split())
        elif how < 0.8:
            found = [d for d in DROPPABLE if d in sentence]
            if found:
                sentence = sentence.replace(rng.choice(found), "", 1)
                done += 1
        else:
            found = [(a, b) for a, b in ADDABLE if a in sentence]
            if found:
                a, b = rng.choice(found)
                if done + len(b.split()) - len(a.split()) > changes:
                    continue
                sentence = sentence.replace(a, b, 1)
                done += len(b.split()) - len(a.split())
    return written_otherwise(rng, sentence)


def plant(rng: random.Random, paragraphs: list[list[str]], sentence: str) -> None:
    """The sentence put among a text's sentences (paragraphs of them), in a paragraph and at a place chosen by
    `rng`."""
    own = rng.choice(paragraphs)
    own.insert(rng.randint(0, len(own)), sentence)
