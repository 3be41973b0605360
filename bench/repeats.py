"""Repeated errors (issue 18): the matcher's recall, precision and time (corrections/repeats/matching.py).

    .venv/bin/python bench/repeats.py                    # everything: ~5 minutes, ~2 GB of memory at its peak
    .venv/bin/python bench/repeats.py --quick            # 300 planted errors' recall and the check only
    .venv/bin/python bench/repeats.py --sweep-articles 20000 --database /tmp/r.sqlite   # a smaller archive, kept
    .venv/bin/python bench/repeats.py --others           # also MinHash LSH and rapidfuzz, when installed
    .venv/bin/python bench/repeats.py --generated --articles 2000 --planted 50   # the app's check and sweep on a
                                                         # database made by gen-fake --plant-errors
    .venv/bin/python bench/repeats.py --generated --database-url URL --truth FILE --sweep-only   # that database
                                                         # again (its truth file), the sweep alone
    .venv/bin/python bench/repeats.py --quick --before DIR   # and the first check with the code in DIR
                                                         # (git archive REV | tar -x -C DIR)

News-like articles are written from the word lists and sentences of corrections/seed/fake.py. Known errors are
sentences with a wrong figure or name, planted verbatim or reworded by corrections/seed/planting.py (shared with
`gen-fake --plant-errors`); each planted one goes into other articles verbatim (quotes, dashes and spaces varied),
reworded (1 to 3 words changed, added or dropped, and the same variations), with the right figure instead (the
right version, verbatim or reworded), and with a third figure (a near miss: the same sentence about another fact).
Found in a planted article = a true match; found anywhere else = a false one.

It prints:
1. recall by kind and precision, for the check (one Index of 30,000 known errors asked about each article) and
   the sweep (each planted error scored against every article);
2. the check's time: a 1,000-word article against 30,000 known errors (median and 95th percentile of 100), in
   memory (Index.find) and as the app runs it (checks.check, the known errors published as notices in SQLite):
   the first check of new processes (with no pattern stored: every error compiled and stored; with them stored;
   with --before, with the code of an earlier checkout) and how much the process grew, a whole
   `corrections check-text` run from start to exit, then in one process later checks and the first after a new
   notice;
3. the sweep's time for one correction over the archive (100,000 articles of 500 to 800 words): in memory,
   from a SQLite database read whole, and from the same database through an FTS5 prefilter;
4. with --others, the methods not kept: MinHash LSH (datasketch) over sentences, and rapidfuzz's
   partial_ratio on the whole text (install them with pip first; they are not the project's dependencies).
"""

import argparse
import contextlib
import importlib.util
import io
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corrections.repeats import matching  # noqa: E402
from corrections.repeats.matching import KnownError  # noqa: E402
from corrections.seed import planting  # noqa: E402
from corrections.seed.fake import (  # noqa: E402
    EFFECTS,
    FIRST_NAMES,
    LAST_NAMES,
    MONTHS,
    ORDINALS,
    ORGS,
    PLACES,
    QUOTE_SENTENCES,
    QUOTES,
    ROLES,
    SECTIONS,
    SENTENCES,
    VERBS_PAST,
    WEEKDAYS,
)
from corrections.seed.planting import plant, reworded, written_otherwise  # noqa: E402


@dataclass
class Planted:
    error: KnownError
    wrong: str
    right_sentence: str
    near_miss: str


@dataclass
class Corpus:
    texts: list[str]
    # (article, error id) -> the kind planted there: verbatim, reworded, right, near_miss
    planted: dict[tuple[int, object], str] = field(default_factory=dict)


class Newsroom:
    """Articles and errors from fake.py's word lists, by one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sentences = SENTENCES + QUOTE_SENTENCES
        self.cast()

    def cast(self) -> None:
        rng = self.rng
        self.topics, self.people = rng.choice(list(SECTIONS.values()))
        self.place, self.org = rng.choice(PLACES), rng.choice(ORGS)
        self.person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    def value(self, name: str) -> str:
        rng = self.rng
        choice = rng.choice
        if name in ("place",):
            return self.place if rng.random() < 0.6 else choice(PLACES)
        if name in ("org", "Org"):
            org = self.org if rng.random() < 0.6 else choice(ORGS)
            return org[0].upper() + org[1:] if name == "Org" else org
        if name == "person":
            return self.person if rng.random() < 0.5 else f"{choice(FIRST_NAMES)} {choice(LAST_NAMES)}"
        if name == "people_cap":
            return choice(self.people).capitalize()
        simple = {
            "role": lambda: choice(ROLES), "topic": lambda: choice(self.topics), "people": lambda: choice(self.people),
            "money": lambda: f"£{rng.randint(12, 950) / 10:.1f} million",
            "money2": lambda: f"£{rng.randint(15, 990)},000",
            "votes": lambda: f"{rng.randint(16, 45)} votes to {rng.randint(3, 15)}",
            "percent": lambda: f"{rng.randint(3, 68)}%", "count": lambda: f"{rng.randint(120, 48000):,}",
            "small": lambda: str(rng.randint(2, 30)), "weekday": lambda: choice(WEEKDAYS),
            "month": lambda: choice(MONTHS), "day": lambda: str(rng.randint(1, 28)),
            "year": lambda: str(rng.randint(2015, 2025)), "next_year": lambda: "2027",
            "old_year": lambda: str(rng.randint(1890, 1990)), "ordinal": lambda: choice(ORDINALS),
            "effect": lambda: choice(EFFECTS), "verb": lambda: choice(VERBS_PAST),
            "quote": lambda: choice(QUOTES).format(place=self.place, people=choice(self.people)),
            "bn": lambda: planting.VALUES["bn"](rng), "pct": lambda: planting.VALUES["pct"](rng),
        }
        return simple[name]()

    def fill(self, template: str, given: dict[str, str] | None = None) -> str:
        given = dict(given or {})
        for name in re.findall(r"{(\w+)}", template):
            if name not in given:
                given[name] = self.value(name)
        return template.format_map(given)

    def paragraphs(self, words: int) -> list[list[str]]:
        """About `words` words of news: paragraphs of two to five sentences."""
        self.cast()
        rng = self.rng
        paragraphs, count = [], 0
        while count < words:
            own = []
            for _ in range(rng.randint(2, 5)):
                sentence = self.fill(rng.choice(self.sentences))
                own.append(sentence)
                count += sentence.count(" ") + 1
            paragraphs.append(own)
        return paragraphs

    def error(self, number: int) -> Planted:
        """A known error (planting.planted_error): a sentence with a wrong figure, the same with the right one,
        and with a third one."""
        rng = self.rng
        self.cast()
        made = planting.planted_error(rng, self.value, lambda: f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                                      lambda: rng.choice(ORGS))
        return Planted(KnownError(number, made.wrong, made.right_words), made.wrong, made.right, made.near_miss)


def text_of(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(own) for own in paragraphs)


def planted_corpus(room: Newsroom, errors: list[Planted], articles: int, each: int = 2,
                   words: tuple[int, int] = (500, 800)) -> Corpus:
    """`articles` articles; each error planted verbatim in `each`, reworded in `each`, in the right version in
    one (verbatim or reworded) and as a near miss in one."""
    rng = room.rng
    bodies = [room.paragraphs(rng.randint(*words)) for _ in range(articles)]
    corpus = Corpus([])
    for planted in errors:
        chosen = rng.sample(range(articles), 2 * each + 2)
        for at, kind in zip(chosen, ["verbatim"] * each + ["reworded"] * each + ["right", "near_miss"], strict=True):
            if kind == "verbatim":
                sentence = planted.wrong if rng.random() < 0.5 else written_otherwise(rng, planted.wrong)
            elif kind == "reworded":
                sentence = reworded(rng, planted.wrong, rng.randint(1, 3))
            elif kind == "right":
                sentence = planted.right_sentence if rng.random() < 0.5 else reworded(
                    rng, planted.right_sentence, rng.randint(0, 2))
            else:
                sentence = planted.near_miss
            plant(rng, bodies[at], sentence)
            corpus.planted[at, planted.error.id] = kind
    corpus.texts = [text_of(body) for body in bodies]
    return corpus


def score(found: set[tuple[int, object]], corpus: Corpus) -> dict[str, object]:
    """Recall by kind, precision, and the false matches by where they were."""
    kinds = Counter(corpus.planted.values())
    hits = Counter(corpus.planted.get(pair, "elsewhere") for pair in found)
    true = hits["verbatim"] + hits["reworded"]
    return {
        "verbatim recall": hits["verbatim"] / kinds["verbatim"],
        "reworded recall": hits["reworded"] / kinds["reworded"],
        "precision": true / len(found) if found else 1.0,
        "right version flagged": f"{hits['right']} of {kinds['right']}",
        "near misses flagged": f"{hits['near_miss']} of {kinds['near_miss']}",
        "other false matches": hits["elsewhere"],
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def measured(function, *args):
    """The result, the time it took and the CPU time this process spent on it: on a machine other work shares,
    the CPU time is the steadier figure (both are printed)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - started, time.process_time() - cpu


# --- The kept method: corrections.repeats.matching.

def check_all(index: matching.Index, corpus: Corpus) -> set[tuple[int, object]]:
    return {(at, match.error.id) for at, text in enumerate(corpus.texts) for match in index.find(text)}


def sweep_all(errors: list[Planted], corpus: Corpus) -> set[tuple[int, object]]:
    lowered = [text.lower() for text in corpus.texts]
    found = set()
    for planted in errors:
        pattern = matching.compile_error(planted.error)
        for at, text in enumerate(corpus.texts):
            if pattern.quick_test(lowered[at]) and pattern.best(text):
                found.add((at, planted.error.id))
    return found


def sweep_memory(pattern: matching.Pattern, texts: list[str]) -> list[int]:
    return [at for at, text in enumerate(texts) if pattern.quick_test(text.lower()) and pattern.best(text)]


def sweep_sqlite_scan(pattern: matching.Pattern, conn: sqlite3.Connection) -> list[int]:
    return [row_id for row_id, text in conn.execute("SELECT id, body_text FROM article")
            if pattern.quick_test(text.lower()) and pattern.best(text)]


def fts5_query(prefilter: matching.Prefilter) -> str:
    """An FTS5 MATCH expression: every word of all_of (each a phrase: "4.2" is the words 4 and 2 to FTS5) and
    one of any_of."""
    parts = [f'"{term}"' for term in prefilter.all_of]
    if prefilter.any_of:
        parts.append("(" + " OR ".join(f'"{term}"' for term in prefilter.any_of) + ")")
    return " AND ".join(parts)


def sweep_sqlite_fts(pattern: matching.Pattern, conn: sqlite3.Connection) -> tuple[list[int], int]:
    def documents(term: str) -> int:
        row = conn.execute("SELECT doc FROM article_vocab WHERE term = ?", (term,)).fetchone()
        return row[0] if row else 0

    query = fts5_query(matching.prefilter_terms(pattern, documents))
    if not query:
        return sweep_sqlite_scan(pattern, conn), -1
    rows = conn.execute("SELECT a.id, a.body_text FROM article_words JOIN article a ON a.id = article_words.rowid "
                        "WHERE article_words MATCH ?", (query,)).fetchall()
    return [row_id for row_id, text in rows if pattern.best(text)], len(rows)


def build_database(path: Path, texts: list[str]) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.executescript("""
        PRAGMA journal_mode = WAL;
        CREATE TABLE article (id INTEGER PRIMARY KEY, body_text TEXT NOT NULL);
        -- detail=full (the default): "4.2" is a phrase of two words to FTS5, and only full detail has phrases.
        CREATE VIRTUAL TABLE article_words USING fts5(body_text, content='article', content_rowid='id');
        CREATE VIRTUAL TABLE article_vocab USING fts5vocab(article_words, 'row');
    """)
    conn.executemany("INSERT INTO article (id, body_text) VALUES (?, ?)", enumerate(texts))
    conn.execute("INSERT INTO article_words (article_words) VALUES ('rebuild')")
    conn.commit()
    conn.close()
    return time.perf_counter() - started


# --- The check as the app runs it: known errors read from a database (corrections/repeats/checks.py).

# The first check of a new process, in one: the app made, one check (its CPU and wall time, and how much the
# process grew: the index), as JSON. Run with the code of the checkout in argv[1].
ONE_CHECK = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from corrections import create_app
from corrections.repeats import checks
def rss():
    return next(int(line.split()[1]) * 1024 for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmRSS:"))
app = create_app({"DATABASE_URL": sys.argv[2], "SECRET_KEY": "bench", "INSTANCE_PATH": sys.argv[3],
                  "SERVER_NAME": "localhost", "RATELIMIT_ENABLED": False})
text = Path(sys.argv[4]).read_text()
with app.app_context(), app.test_request_context():
    before, started, cpu = rss(), time.perf_counter(), time.process_time()
    found = checks.check(text, False)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"wall": wall, "cpu": cpu, "grown": rss() - before, "found": len(found)}))
"""


def first_check(root: Path, url: str, folder: Path, draft: Path) -> dict:
    """ONE_CHECK in a new process, with the code of the checkout at `root`."""
    run = subprocess.run([sys.executable, "-c", ONE_CHECK, str(root), url, str(folder), str(draft)],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout.splitlines()[-1])


def check_text_command(root: Path, url: str, folder: Path, draft: Path) -> tuple[float, float]:
    """`corrections check-text FILE` from start to exit, with the code of the checkout at `root`: wall and CPU
    seconds (the process's own and its children's)."""
    environment = {**os.environ, "CORRECTIONS_DATABASE_URL": url, "CORRECTIONS_SECRET_KEY": "bench",
                   "CORRECTIONS_INSTANCE_PATH": str(folder)}
    script = (f"import sys; sys.path.insert(0, {str(root)!r}); from corrections import main; "
              f"sys.argv = ['corrections', 'check-text', {str(draft)!r}]; main()")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def new_processes(url: str, folder: Path, draft: Path, before: Path | None) -> dict[str, dict[str, object]]:
    """The first check of new processes on the database: with the code at `before` (an earlier checkout, when
    given), then this code with no pattern stored (it compiles and stores them all), then with them stored."""
    from sqlalchemy import create_engine, text

    def forget_stored() -> None:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM notice_pattern"))
        engine.dispose()

    def row(root: Path, stored: bool) -> dict[str, object]:
        """ONE_CHECK and the command, each in a new process, with the patterns stored or none (forgotten first)."""
        if not stored:
            forget_stored()
        one = first_check(root, url, folder, draft)
        if not stored:
            forget_stored()
        wall, cpu = check_text_command(root, url, folder, draft)
        return {"first check (CPU)": f"{one['cpu']:.2f} s", "first check (wall)": f"{one['wall']:.2f} s",
                "index memory (RSS grown)": f"{one['grown'] / 1e6:,.0f} MB",
                "check-text run, start to exit (wall)": f"{wall:.2f} s", "its CPU": f"{cpu:.2f} s",
                "found": one["found"]}

    root = Path(__file__).resolve().parent.parent
    rows = {}
    if before:
        rows[f"code at {before.name}"] = row(before, stored=False)
    rows["nothing stored: every error compiled, then stored"] = row(root, stored=False)
    rows["patterns stored (every later process)"] = row(root, stored=True)
    return rows


def check_in_database(errors: list[KnownError], check_texts: list[str], folder: Path,
                      before: Path | None = None) -> tuple[dict[str, object], dict[str, object]]:
    """checks.check against the errors published as notices in a SQLite database made by the migrations: the first
    check of new processes (new_processes), then in this process: a check once the index is built (the notices'
    version read, the text matched, the found notices read), and the first check after one more notice is
    published."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from corrections import MIGRATIONS, create_app
    from corrections.extensions import db
    from corrections.models import Article, Notice, utcnow
    from corrections.repeats import checks

    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'check.sqlite'}", "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(folder), "SERVER_NAME": "localhost", "RATELIMIT_ENABLED": False})
    with app.app_context(), app.test_request_context():
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's log of every migration
            upgrade(directory=str(MIGRATIONS))
        now = utcnow()
        articles = len(errors) // 10 + 1
        db.session.execute(insert(Article), [
            {"id": number + 1, "slug": f"article-{number}", "canonical_url": f"https://news.example.org/{number}",
             "title": f"Article {number}", "body": "", "body_text": "", "published_at": now}
            for number in range(articles)])
        db.session.execute(insert(Notice), [
            {"article_id": number % articles + 1, "kind": "correction", "text": "An earlier version was wrong.",
             "published_at": now, "wrong_text": error.wrong, "right_text": error.right}
            for number, error in enumerate(errors)])
        db.session.commit()
        db.session.remove()
        draft = folder / "draft.txt"
        draft.write_text(check_texts[0])
        processes = new_processes(db.engine.url.render_as_string(hide_password=False), folder, draft, before)

        # (Its memory is measured in a new process, by new_processes: this one has freed memory to reuse.)
        _, first, first_cpu = measured(checks.check, check_texts[0], False)
        runs = [measured(checks.check, text, False) for text in check_texts]
        found = sum(len(run[0]) for run in runs)
        walls, cpus = sorted(run[1] for run in runs), sorted(run[2] for run in runs)
        _, version = timed(lambda: [db.session.execute(checks.VERSION).one() for _ in range(100)])
        db.session.execute(insert(Notice), [{"article_id": 1, "kind": "correction", "text": "Another one.",
                                             "published_at": utcnow(), "wrong_text": errors[0].wrong + " Again.",
                                             "right_text": ""}])
        db.session.commit()
        _, after_new, after_new_cpu = measured(checks.check, check_texts[0], False)
        db.session.remove()
        db.engine.dispose()
    at = len(cpus) * 95 // 100
    return processes, {"checks.check": {
        "notices": f"{len(errors):,}", "first check (CPU)": f"{first_cpu:.2f} s",
        "first check (wall)": f"{first:.2f} s",
        "median (CPU)": ms(statistics.median(cpus)), "p95 (CPU)": ms(cpus[at]),
        "median (wall)": ms(statistics.median(walls)), "p95 (wall)": ms(walls[at]),
        "version query": ms(version / 100), "after a new notice (wall)": ms(after_new),
        "after a new notice (CPU)": ms(after_new_cpu), "found": found}}


# --- Methods not kept, for comparison (--others).

def minhash_check(errors: list[KnownError], corpus: Corpus, check_texts: list[str]) -> dict[str, object]:
    """MinHash LSH (datasketch) over word pairs: each known error's wrong words indexed, each sentence of the
    text asked; the candidates then verified by the same rules (numbers, right version)."""
    from datasketch import MinHash, MinHashLSH

    def shingles(text: str) -> set[bytes]:
        words = matching.tokenise(text).words
        return {f"{a} {b}".encode() for a, b in zip(words, words[1:], strict=False)}

    def minhash(text: str) -> MinHash:
        made = MinHash(num_perm=64)
        made.update_batch(list(shingles(text)) or [b""])
        return made

    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.4, num_perm=64)
    patterns = {}
    for error in errors:
        pattern = matching.compile_error(error)
        if pattern:
            patterns[error.id] = pattern
            lsh.insert(error.id, minhash(error.wrong))
    built = time.perf_counter() - started

    def find(text: str) -> set:
        found = set()
        for sentence in re.split(r"(?<=[.!?])\s+|\n\n", text):
            for key in lsh.query(minhash(sentence)):
                if patterns[key].find(sentence):
                    found.add(key)
        return found

    found = {(at, key) for at, text in enumerate(corpus.texts) for key in find(text)}
    times = [measured(find, text)[2] for text in check_texts]
    return {**score(found, corpus), "index built": f"{built:.1f} s",
            "check, 1,000 words (CPU)": ms(statistics.median(times))}


def rapidfuzz_check(errors: list[Planted], corpus: Corpus, check_text: str, known: int) -> dict[str, object]:
    """rapidfuzz's partial_ratio of the wrong words in the normalised text, ≥ 90: no rule about numbers."""
    from rapidfuzz import fuzz

    normalised = [matching.normalise(text) for text in corpus.texts]
    found = set()
    by_error = defaultdict(list)
    for (at, key), _ in corpus.planted.items():
        by_error[key].append(at)
    rng = random.Random(7)
    for planted in errors:
        wrong = matching.normalise(planted.wrong)
        # Its planted articles and 20 others: comparing every pair would take an hour.
        for at in set(by_error[planted.error.id]) | set(rng.sample(range(len(normalised)), 20)):
            if fuzz.partial_ratio(wrong, normalised[at]) >= 90:
                found.add((at, planted.error.id))
    text = matching.normalise(check_text)
    wrongs = [matching.normalise(planted.wrong) for planted in errors]
    _, _, elapsed = measured(lambda: [fuzz.partial_ratio(wrong, text) for wrong in wrongs])
    result = score(found, corpus)
    result["precision"] = f"{result['precision']:.3f} (planted articles and 20 others per error)"
    return {**result, "check, 1,000 words (CPU)": f"{ms(elapsed / len(wrongs) * known)} (from {len(wrongs)} "
                                                  "errors)"}


# --- The app's own check and sweep on a database made by `gen-fake --plant-errors` (--generated).

def generate_database(url: str, folder: Path, options: argparse.Namespace) -> tuple[Path, str]:
    """The database at `url` migrated and filled by the real command, `corrections gen-fake --plant-errors`, which
    writes where it planted each error (the truth); returns the truth file and what was run."""
    root = Path(__file__).resolve().parent.parent
    env = {key: value for key, value in os.environ.items() if not key.startswith("CORRECTIONS_")}
    env.update({"CORRECTIONS_DATABASE_URL": url, "CORRECTIONS_SECRET_KEY": "bench",
                "CORRECTIONS_INSTANCE_PATH": str(folder / "instance"),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))})
    truth = folder / "planted.json"
    args = ["gen-fake", "--articles", str(options.articles), "--reports", str(options.reports), "--seed",
            str(options.seed), "--plant-errors", str(options.planted), "--plant-errors-truth", str(truth)]
    for command in (["db", "upgrade"], args):
        done = subprocess.run([sys.executable, "-c", "from corrections import main; main()", *command], env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            sys.exit(f"corrections {' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return truth, "gen-fake " + " ".join(args[1:-2])


def planted_truth(path: Path) -> tuple[Corpus, list[int]]:
    """The truth file as the scorer reads it: (article id, notice id) -> how the article carries the error, and
    the planted notices."""
    document = json.loads(path.read_text(encoding="utf-8"))
    corpus = Corpus([])
    for error in document["errors"]:
        for article in error["articles"]:
            corpus.planted[article["id"], error["notice_id"]] = article["kind"]
    return corpus, [error["notice_id"] for error in document["errors"]]


def words_there(found: set[tuple[int, int]], corpus: Corpus) -> str:
    """Of the false matches, how many are in an article that has the notice's wrong words exactly (spacing aside):
    words too common to tell one fact from another, not a rewording taken for the error."""
    from corrections.extensions import db
    from corrections.models import Article, Notice

    false = [(article_id, notice_id) for article_id, notice_id in found
             if corpus.planted.get((article_id, notice_id)) not in ("verbatim", "reworded")]
    there = sum(" ".join(db.session.get(Notice, notice_id).wrong_text.split())
                in " ".join(db.session.get(Article, article_id).body_text.split()) for article_id, notice_id in false)
    return f"{there} of {len(false)}"


def misses(found: set[tuple[int, object]], corpus: Corpus) -> list[str]:
    """The planted repeats not found, as "notice N in article A (kind)", to look at."""
    return [f"notice {notice_id} in article {article_id} ({kind})"
            for (article_id, notice_id), kind in sorted(corpus.planted.items())
            if kind in ("verbatim", "reworded") and (article_id, notice_id) not in found]


def generated_bench(options: argparse.Namespace) -> None:
    """checks.check on every article of a database made by `gen-fake --plant-errors` (its HTML, as check-text
    would get it), and, when the sweep exists (corrections.repeats.sweep), the sweep of each planted correction;
    scored by the truth gen-fake wrote."""
    from sqlalchemy import func, select

    from corrections import create_app
    from corrections.extensions import db
    from corrections.models import Article, Notice
    from corrections.repeats import checks

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        url = options.database_url or f"sqlite:///{folder / 'generated.sqlite'}"
        if options.truth:
            truth, made = options.truth, f"the database at {url}, truth {options.truth}"
        else:
            started = time.perf_counter()
            truth, made = generate_database(url, folder, options)
            made += f" ({time.perf_counter() - started:.0f} s)"
        corpus, notices = planted_truth(truth)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder),
                          "SERVER_NAME": "localhost", "RATELIMIT_ENABLED": False})
        with app.app_context(), app.test_request_context():
            articles = db.session.scalar(select(func.count(Article.id)))
            known = db.session.scalar(select(func.count(Notice.id)).where(Notice.wrong_text != "",
                                                                          Notice.withdrawn_at.is_(None)))
            print(f"{made}: {articles:,} articles, {len(notices)} planted errors, {known} notices naming wrong "
                  f"words", flush=True)
            accuracy, missed = {}, {}
            if not options.sweep_only:
                checks.check("", False)  # the index of the known errors, built once a process: not timed
                found_check, cpus = set(), []
                for article_id, body in db.session.execute(select(Article.id, Article.body).order_by(Article.id)
                                                           .execution_options(yield_per=500)):
                    findings, _, cpu = measured(checks.check, body, True)
                    cpus.append(cpu)
                    found_check |= {(article_id, finding.notice_id) for finding in findings}
                cpus.sort()
                accuracy["check (checks.check, each article's HTML)"] = {
                    **score(found_check, corpus), "false, the notice's words there": words_there(found_check, corpus),
                    "median (CPU)": ms(statistics.median(cpus)),
                    "p95 (CPU)": ms(cpus[len(cpus) * 95 // 100])}
                missed["check"] = misses(found_check, corpus)
            skipped = None
            if importlib.util.find_spec("corrections.repeats.sweep") is None:
                skipped = "corrections.repeats.sweep is not on this branch yet (the sweep branch): not measured"
            else:
                from corrections.repeats import sweep as sweeping

                if not hasattr(sweeping, "sweep"):
                    skipped = "corrections.repeats.sweep has no sweep(notice): not measured"
            if skipped is None:
                found_sweep, seconds, cpus, read = set(), [], [], []
                for notice_id in notices:
                    notice = db.session.get(Notice, notice_id)
                    done, _, cpu = measured(sweeping.sweep, notice)
                    seconds.append(done.seconds)
                    cpus.append(cpu)
                    read.append(done.read)
                    found_sweep |= {(repeat.article_id, notice_id) for repeat in done.found}
                    db.session.rollback()  # what it would list, not kept
                accuracy["sweep (repeats.sweep.sweep, each planted correction)"] = {
                    **score(found_sweep, corpus), "false, the notice's words there": words_there(found_sweep, corpus),
                    "median (CPU)": f"{statistics.median(cpus):.3f} s", "max (CPU)": f"{max(cpus):.3f} s",
                    "median (wall)": f"{statistics.median(seconds):.3f} s",
                    "max (wall)": f"{max(seconds):.3f} s",
                    "articles read": f"median {statistics.median(read):,.0f}, max {max(read):,}"}
                missed["sweep"] = misses(found_sweep, corpus)
            db.session.remove()
            db.engine.dispose()
    print(table(f"The app's check and sweep on gen-fake's planted errors: {len(notices)} errors in {articles:,} "
                "articles (targets: verbatim recall ≥ 0.99, reworded ≥ 0.85, precision ≥ 0.95, no right version "
                "flagged; the sweep < 5 s a correction at 100,000 articles)", accuracy))
    for name, left in missed.items():
        if left:
            print(f"\nMissed by the {name}: " + "; ".join(left))
    if skipped:
        print(f"\nThe sweep: skipped, {skipped}.")


# --- The report.

def table(title: str, rows: dict[str, dict[str, object]]) -> str:
    columns = list(dict.fromkeys(key for row in rows.values() for key in row))
    lines = [f"\n### {title}\n", "| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        cells = [f"{row[c]:.3f}" if isinstance(row.get(c), float) else str(row.get(c, "")) for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--planted", type=int, default=300, help="errors planted for recall and precision")
    parser.add_argument("--articles", type=int, default=3000, help="articles they are planted in")
    parser.add_argument("--known", type=int, default=30000, help="known errors the check looks for")
    parser.add_argument("--sweep-articles", type=int, default=100000)
    parser.add_argument("--sweeps", type=int, default=10, help="corrections swept over the archive")
    parser.add_argument("--database", type=Path, help="SQLite file for the archive (made if missing)")
    parser.add_argument("--quick", action="store_true", help="recall, precision and the check only")
    parser.add_argument("--others", action="store_true", help="also MinHash LSH and rapidfuzz")
    parser.add_argument("--similarity", type=float, help="another matching.SIMILARITY, to compare")
    parser.add_argument("--before", type=Path, help="a checkout of an earlier version: its first check too")
    generated = parser.add_argument_group("the app's check and sweep on gen-fake --plant-errors (--generated)")
    generated.add_argument("--generated", action="store_true",
                           help="make a database with gen-fake --articles A --reports R --seed S --plant-errors P "
                                "(A, S and P: --articles, --seed, --planted) and score the app's check and sweep")
    generated.add_argument("--reports", type=int, default=0, help="reports gen-fake spreads over the articles")
    generated.add_argument("--database-url", help="the database to fill (an empty one; default: a temporary SQLite "
                                                  "file), or with --truth to score as it is")
    generated.add_argument("--truth", type=Path, help="the --plant-errors-truth FILE of a database made before")
    generated.add_argument("--sweep-only", action="store_true", help="score the sweep only, not the check of every "
                                                                      "article (which takes longest)")
    options = parser.parse_args()
    if options.generated:
        generated_bench(options)
        return
    if options.similarity:
        matching.SIMILARITY = options.similarity

    room = Newsroom(options.seed)
    rng = room.rng
    print(f"SIMILARITY {matching.SIMILARITY}, MIN_TOKENS {matching.MIN_TOKENS}", flush=True)
    planted = [room.error(number) for number in range(options.planted)]
    others = [room.error(number).error for number in range(options.planted, options.known)]
    known = [p.error for p in planted] + others
    corpus, made = timed(planted_corpus, room, planted, options.articles)
    print(f"{options.articles:,} articles, {options.planted} planted errors: {made:.1f} s", flush=True)

    index, built = timed(matching.Index.build, known)
    found_check, checked = timed(check_all, index, corpus)
    found_sweep, swept = timed(sweep_all, planted, corpus)
    print(f"index of {len(known):,} built in {built:.1f} s; every article checked in {checked:.1f} s, every planted "
          f"error swept in {swept:.1f} s", flush=True)
    accuracy = {"check (Index.find)": score(found_check, corpus), "sweep (match_one)": score(found_sweep, corpus)}
    missed = [(corpus.texts[at], key) for (at, key), kind in corpus.planted.items()
              if kind == "reworded" and (at, key) not in found_sweep]
    print(table(f"Recall and precision: {options.planted} planted errors in {options.articles:,} articles, "
                f"{len(known):,} known errors", accuracy))
    if missed:
        print(f"\n{len(missed)} reworded plants missed by the sweep, for instance:")
        for text, key in missed[:3]:
            wrong = planted[key].wrong
            print(f"  wrong: {wrong!r}")
            best = max(re.split(r"(?<=[.!?”\"])\s+|\n\n", text), key=lambda s: len(
                set(matching.normalise(s).split()) & set(matching.normalise(wrong).split())))
            print(f"  there: {best!r}")

    # The check's time: 1,000-word articles, a third of them with a planted error.
    check_texts = []
    for number in range(100):
        body = room.paragraphs(1000)
        if number % 3 == 0:
            plant(rng, body, reworded(rng, rng.choice(planted).wrong, 1))
        check_texts.append(text_of(body))
    words = statistics.median(len(text.split()) for text in check_texts)
    runs = [measured(index.find, text) for text in check_texts]
    walls, cpus = sorted(run[1] for run in runs), sorted(run[2] for run in runs)
    check = {"Index.find": {"known errors": f"{len(index):,} (+{len(index.ignored)} too short)",
                            "index built": f"{built:.1f} s", "words": int(words),
                            "median (CPU)": ms(statistics.median(cpus)), "p95 (CPU)": ms(cpus[94]),
                            "median (wall)": ms(statistics.median(walls)), "p95 (wall)": ms(walls[94])}}
    print(table("The check: one article against the known errors (target < 50 ms)", check), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        processes, in_database = check_in_database(known, check_texts, Path(folder), options.before)
    print(table(f"The first check of a new process: {len(known):,} notices in SQLite, a 1,000-word article",
                processes), flush=True)
    print(table(f"The check as the app runs it, in one process (patterns stored): {len(known):,} notices in "
                f"SQLite, the same {len(check_texts)} articles (target < 50 ms)", in_database), flush=True)

    if options.others:
        rows = {}
        try:
            rows["MinHash LSH (datasketch), sentences"] = minhash_check(known, corpus, check_texts[:20])
        except ImportError:
            rows["MinHash LSH (datasketch)"] = {"not run": "pip install datasketch"}
        try:
            rows["rapidfuzz partial_ratio ≥ 90"] = rapidfuzz_check(planted, corpus, check_texts[0], len(known))
        except ImportError:
            rows["rapidfuzz"] = {"not run": "pip install rapidfuzz"}
        print(table("Methods not kept", rows), flush=True)

    if options.quick:
        return

    # The sweep: an archive of articles, some corrections planted in it as above.
    swept = planted[:options.sweeps]
    archive, made = timed(planted_corpus, room, swept, options.sweep_articles)
    print(f"\n{options.sweep_articles:,} archive articles: written in {made:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        path = options.database or Path(folder) / "archive.sqlite"
        if path.exists():
            path.unlink()
        built = build_database(path, archive.texts)
        size = path.stat().st_size
        conn = sqlite3.connect(path)
        rows: dict[str, dict[str, object]] = {}
        methods = {
            "in memory: quick_test, match_one": lambda pattern: (sweep_memory(pattern, archive.texts), None),
            "SQLite, every body read": lambda pattern: (sweep_sqlite_scan(pattern, conn), None),
            "SQLite, FTS5 prefilter": lambda pattern: sweep_sqlite_fts(pattern, conn),
        }
        for name, method in methods.items():
            times, cpus, found, read = [], [], set(), []
            for planted_error in swept:
                pattern = matching.compile_error(planted_error.error)
                (hits, candidates), elapsed, cpu = measured(method, pattern)
                times.append(elapsed)
                cpus.append(cpu)
                found |= {(at, planted_error.error.id) for at in hits}
                if candidates is not None:
                    read.append(candidates)
            result = score(found, archive)
            rows[name] = {"verbatim recall": result["verbatim recall"], "reworded recall": result["reworded recall"],
                          "precision": result["precision"], "right version flagged": result["right version flagged"],
                          "median (CPU)": f"{statistics.median(cpus):.3f} s", "max (CPU)": f"{max(cpus):.3f} s",
                          "median (wall)": f"{statistics.median(times):.3f} s",
                          "bodies read": f"median {statistics.median(read):,.0f}" if read else "all"}
        conn.close()
        print(table(f"The sweep: one correction over {options.sweep_articles:,} articles (target < 5 s); "
                    f"database {size / 1e6:,.0f} MB with its FTS5 index, built in {built:.0f} s", rows))


if __name__ == "__main__":
    main()
