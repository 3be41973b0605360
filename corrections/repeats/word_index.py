"""The articles that may repeat a known error, from the database's index of the articles' words: what the archive
sweep (repeats/sweep.py) asks before the matcher reads any text.

The words asked for are matching.prefilter_terms': every required word, and one of the edits + 1 rarest other words
(a match misses at most `edits` of them). Both indexes are made by hand in migrations (what `hand_made` names, for
migrations/env.py and the tests to leave alone):
- PostgreSQL: a GIN index of to_tsvector('simple', ...) on the texts without the characters that may sit inside a
  word (matching.JOINERS; b5d1f3a7c9e2, made again by daba20773289), asked by that very expression.
- SQLite: an FTS5 table of the articles' words, `article_words` (daba20773289), kept in step with the texts by
  triggers on `article` and given them without the characters that may sit inside a word (matching.JOINERS), with
  digits parting words as the matcher parts them; `article_words_vocab` counts the articles each word is in, so
  that the rarest words are asked for. A SQLite without FTS5 has no such table: then a LIKE per word, which reads
  every text.
Only words of plain letters (a to z) are asked for: the indexes and the matcher read them alike. Words of other
scripts or forms, which the matcher folds where the index may not (NFKC, marks), are left to the matcher, and
numbers (which the indexes part at a decimal point) are asked through a LIKE on the articles the words leave.
"""

import re

from sqlalchemy import ColumnElement, Select, and_, column, exists, func, literal_column, or_, select, table, text

from corrections.extensions import db
from corrections.models import Article, Notice, Repeat
from corrections.repeats.matching import JOINERS, Pattern, is_number, prefilter_terms

# PostgreSQL's index of the words of every article's text without the characters that may sit inside a word,
# made by hand (an expression index autogenerate cannot describe). A query finds it by this very expression.
POSTGRES_INDEX = "ix_article_body_words"
ARTICLE_WORDS = func.to_tsvector(literal_column("'simple'"), func.translate(
    Article.body_text, literal_column("E'" + "".join(f"\\u{ord(joiner):04X}" for joiner in JOINERS) + "'"),
    literal_column("''")))
# SQLite's FTS5 table of the same words, and its counts of the articles each word is in.
SQLITE_TABLE = "article_words"
fts = table(SQLITE_TABLE, column("rowid"), column(SQLITE_TABLE))
vocab = table(f"{SQLITE_TABLE}_vocab", column("term"), column("doc"))
# Words both indexes (and a LIKE, which folds the case of ASCII letters only, on SQLite) take as they are.
PLAIN_WORD = re.compile(r"[a-z]+")


def hand_made(name: str | None, type_: str) -> bool:
    """Whether a database object belongs to the index of the articles' words (for Alembic's include_name hook)."""
    if type_ == "index":
        return name == POSTGRES_INDEX
    return type_ == "table" and bool(name) and (name == SQLITE_TABLE or name.startswith(SQLITE_TABLE + "_"))


def plain(word: str) -> bool:
    return PLAIN_WORD.fullmatch(word) is not None


def sqlite_words() -> bool:
    """Whether this SQLite database has the FTS5 table (its migration makes it where SQLite has FTS5)."""
    return db.session.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                              {"name": SQLITE_TABLE}).first() is not None


def articles_with(term: str) -> int:
    """How many articles have a word, by the FTS5 table's own counts."""
    return db.session.scalar(select(vocab.c.doc).where(vocab.c.term == term)) or 0


def fts5_query(words: list[str], any_of: list[str]) -> str:
    """A MATCH expression: every one of `words` and one of `any_of` (plain words: quoted, never operators)."""
    parts = [f'"{word}"' for word in words]
    if any_of:
        parts.append("(" + " OR ".join(f'"{word}"' for word in any_of) + ")")
    return " AND ".join(parts)


def candidates(pattern: Pattern, notice: Notice) -> Select:
    """The ids of the articles that may repeat the error: every one but the notice's own and those already listed
    for it, narrowed by the prefilter's plain words through the database's index of the articles' words (or a
    LIKE each, on a SQLite without FTS5) and by its numbers through a LIKE each."""
    query = (select(Article.id)
             .where(Article.id != notice.article_id,
                    ~exists().where(Repeat.notice_id == notice.id, Repeat.article_id == Article.id)))
    dialect = db.session.get_bind().dialect.name
    indexed = dialect == "postgresql" or sqlite_words()
    terms = prefilter_terms(pattern, articles_with if dialect == "sqlite" and indexed else None, indexed=plain)
    if terms is None:
        return query
    words = [word for word in terms.all_of if plain(word)]
    numbers = [word for word in terms.all_of if word.isascii() and is_number(word)]
    if words or terms.any_of:
        query = query.where(_having_words(words, list(terms.any_of), dialect, indexed))
    return query.where(*(Article.body_text.like(f"%{number}%") for number in numbers))


def _having_words(words: list[str], any_of: list[str], dialect: str, indexed: bool) -> ColumnElement[bool]:
    """Whether an article has every one of `words` and one of `any_of`, asked of the index if there is one."""
    if dialect == "postgresql":
        wanted = " & ".join(words + ([f"({' | '.join(any_of)})"] if any_of else []))
        return ARTICLE_WORDS.op("@@")(func.to_tsquery(literal_column("'simple'"), wanted))
    if indexed:
        # The hits worked out once for the statement; the articles then read by their ids.
        return Article.id.in_(select(fts.c.rowid).where(fts.c[SQLITE_TABLE].match(fts5_query(words, any_of))))
    likes = [Article.body_text.like(f"%{word}%") for word in words]
    if any_of:
        likes.append(or_(*(Article.body_text.like(f"%{word}%") for word in any_of)))
    return and_(*likes)
