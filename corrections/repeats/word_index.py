"""The articles that may repeat a known error, from the database's index of the articles' words: what the archive
sweep (repeats/sweep.py) asks before the matcher reads any text.

The words asked for are matching.prefilter_terms': every required word, and one of the edits + 1 rarest other words
(a match misses at most `edits` of them); and every number the error has. Both indexes are made by hand in
migrations (what `hand_made` names, for migrations/env.py and the tests to leave alone):
- PostgreSQL: a GIN index of every article's words tagged with the windows of the text they are in (184d30368554,
  on the expression `article_window_words(body_text)`, a function its migration makes): the runs of letters a to z
  and of digits, each as itself and as "word_slot" for every window of 2 * STRIDE words it is in; the words and
  numbers are asked for anywhere in the text (so the index reads only the articles with the rarest of them) and in
  one window, any window, as near each other as a match has them (what SQLite's NEAR does). A correction
  whose match may be longer than a window can promise (`reach`) asks the GIN index of the whole texts instead
  (to_tsvector('simple', ...) on the texts without the characters that may sit inside a word, matching.JOINERS;
  b5d1f3a7c9e2, made again by daba20773289), by that very expression, and its numbers through a LIKE each on the
  articles the words leave.
- SQLite: two FTS5 tables (daba20773289) kept in step with the texts by triggers on `article` and given them without
  those characters: `article_words`, the runs of letters, with `article_words_vocab`, which counts the articles each
  word is in so that the rarest are asked for; and `article_numbers`, the runs of digits. Letters and digits part
  each other there as they do for the matcher ("£4.2bn": the word "bn", the numbers 4 and 2). A SQLite without
  FTS5 has no such tables: then a LIKE per word and number, which reads every text.
Only words of plain letters (a to z) are asked for: the indexes and the matcher read them alike. Words of other
scripts or forms, which the matcher folds where the index may not (NFKC, marks), are left to the matcher, as are
digits of other scripts.
"""

import re

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from corrections.extensions import db
from corrections.models import Article, Notice, Repeat
from corrections.repeats.matching import JOINERS, Pattern, is_number, prefilter_terms

# PostgreSQL's index of the words of every article's text without the characters that may sit inside a word,
# made by hand (an expression index autogenerate cannot describe). A query finds it by this very expression.
POSTGRES_INDEX = "ix_article_body_words"
ARTICLE_WORDS = func.to_tsvector(literal_column("'simple'"), func.translate(
    Article.body_text, literal_column("E'" + "".join(f"\\u{ord(joiner):04X}" for joiner in JOINERS) + "'"),
    literal_column("''")))
# SQLite's FTS5 tables of the same words, and of the numbers; the counts of the articles each word is in.
SQLITE_TABLE, SQLITE_NUMBERS = "article_words", "article_numbers"
fts = table(SQLITE_TABLE, column("rowid"), column(SQLITE_TABLE))
fts_numbers = table(SQLITE_NUMBERS, column("rowid"), column(SQLITE_NUMBERS))
vocab = table(f"{SQLITE_TABLE}_vocab", column("term"), column("doc"))
# PostgreSQL's index of the words by window (made by hand too, on this very expression): counted from 1, window n
# holds words n * STRIDE + 1 to n * STRIDE + 2 * STRIDE, so any STRIDE + 1 words in a row are all in one window; a word
# is indexed as itself and as "word_slot" for each window it is in, the slot being the window's number modulo SLOTS
# (windows SLOTS apart share theirs: more candidates, never fewer). Its migration writes both numbers out.
POSTGRES_WINDOWS_INDEX = "ix_article_window_words"
STRIDE, SLOTS = 48, 32
ARTICLE_WINDOWS = func.article_window_words(Article.body_text)
# The words of the windows: runs of letters a to z and of digits (the text lower case, without joiners).
RUN = re.compile(r"[a-z]+|[0-9]+")
# Words both indexes (and a LIKE, which folds the case of ASCII letters only, on SQLite) take as they are.
PLAIN_WORD = re.compile(r"[a-z]+")


def hand_made(name: str | None, type_: str) -> bool:
    """Whether a database object belongs to the index of the articles' words (for Alembic's include_name hook)."""
    if type_ == "index":
        return name in (POSTGRES_INDEX, POSTGRES_WINDOWS_INDEX)
    return type_ == "table" and bool(name) and any(name == made or name.startswith(made + "_")
                                                   for made in (SQLITE_TABLE, SQLITE_NUMBERS))


def plain(word: str) -> bool:
    return PLAIN_WORD.fullmatch(word) is not None


def sqlite_words() -> bool:
    """Whether this SQLite database has the FTS5 table (its migration makes it where SQLite has FTS5)."""
    return db.session.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                              {"name": SQLITE_TABLE}).first() is not None


def articles_with(term: str) -> int:
    """How many articles have a word, by the FTS5 table's own counts."""
    return db.session.scalar(select(vocab.c.doc).where(vocab.c.term == term)) or 0


def words_query(pattern: Pattern, words: list[str], any_of: list[str]) -> str:
    """For `article_words`' MATCH: the required words near each other and near one of `any_of`, as a match has
    them.

    A match is at most len(wrong) + edits tokens long, and each of its words is one of the table's: its required
    words and the one of `any_of` it has are that near (NEAR counts the tokens between the first and the last;
    edits more for what the two may read otherwise)."""
    reach = len(pattern.wrong) + 2 * pattern.edits
    required = [f'"{word}"' for word in words]
    if not any_of:
        return _near(required, reach)
    return "(" + " OR ".join(_near([*required, f'"{word}"'], reach) for word in any_of) + ")"


def numbers_query(pattern: Pattern, numbers: list[str]) -> str:
    """For `article_numbers`' MATCH: the required numbers near each other, as a match has them.

    Among the table's tokens (runs of digits), a match holds those of the wrong words' numbers and at most `edits`
    other numbers (each counted as three runs: "1,234,567"). A number of four digits or more may be written with
    thousands separators or without ("1200" or "1,200", the runs 1 then 200): it is asked either way, apart."""
    grouped = [number for number in numbers if number.isdigit() and len(number) > 3 and number[0] != "0"]
    runs = sum(len(_written(token).replace(".", ",").split(",")) for token in pattern.wrong if is_number(token))
    near = _near([f'"{number}"' for number in numbers if number not in grouped], runs + 3 * pattern.edits)
    return " AND ".join(([near] if near else []) + [f'("{number}" OR "{_written(number)}")' for number in grouped])


def reach(pattern: Pattern) -> int:
    """How many of the windows' words a match spans at most: a match is at most len(wrong) + edits tokens long,
    each wrong token as many runs as it has ("4.2" two, "%" written "per cent" two), each token a match has otherwise
    at most three ("1,234,567")."""
    runs = sum(2 if token == "%" else max(1, len(RUN.findall(token))) for token in pattern.wrong)
    return runs + 3 * pattern.edits


def windows_query(words: list[str], any_of: list[str], numbers: list[str]) -> str:
    """For the GIN index of the words by window (a tsquery, its words as the index holds them): every required word
    and number and one of `any_of`, anywhere in the text and in one window, whichever slot it has. The first part
    asks nothing the second does not, but lets the index read only the articles with its rarest word (a query that
    is an OR at its top reads every article with any of its words). A number is its runs of digits ("4.2": 4 and
    2), one of four digits or more either way a text may write it ("1200" or "1,200": 1 and 200)."""

    def words_in(suffix: str) -> str:
        def term(word: str) -> str:
            return f"'{word}{suffix}'"

        terms = [term(word) for word in words]
        for number in numbers:
            forms = [" & ".join(term(run) for run in re.findall(r"[0-9]+", written))
                     for written in sorted({number, _written(number)})]
            terms.append(forms[0] if len(forms) == 1 else "(" + " | ".join(f"({form})" for form in forms) + ")")
        if any_of:
            terms.append("(" + " | ".join(term(word) for word in any_of) + ")")
        return " & ".join(terms)

    return words_in("") + " & (" + " | ".join(f"({words_in(f'_{slot}')})" for slot in range(SLOTS)) + ")"


def _written(number: str) -> str:
    """A folded number as a text may write it: with thousands separators, if it has four digits or more."""
    return f"{int(number):,}" if number.isdigit() and len(number) > 3 and number[0] != "0" else number


def _near(phrases: list[str], reach: int) -> str:
    if len(phrases) < 2:
        return "".join(phrases)
    return f"NEAR({' '.join(phrases)}, {reach})"


def candidates(pattern: Pattern, notice: Notice) -> Select:
    """The ids of the articles that may repeat the error: every one but the notice's own and those already listed
    for it, narrowed by the prefilter's plain words and the error's numbers, through the database's index (or a
    LIKE each, on a SQLite without FTS5; on PostgreSQL, numbers through a LIKE each where a match may be longer
    than its windows)."""
    query = (select(Article.id)
             .where(Article.id != notice.article_id,
                    ~exists().where(Repeat.notice_id == notice.id, Repeat.article_id == Article.id)))
    dialect = db.session.get_bind().dialect.name
    fts5 = dialect == "sqlite" and sqlite_words()
    terms = prefilter_terms(pattern, articles_with if fts5 else None, indexed=plain)
    if terms is None:
        return query
    words, any_of = [word for word in terms.all_of if plain(word)], list(terms.any_of)
    numbers = sorted(token for token in pattern.required if is_number(token) and token.isascii())
    if fts5:
        # The hits worked out once for the statement (each table's); the articles then read by their ids.
        if words or any_of:
            query = query.where(Article.id.in_(select(fts.c.rowid).where(fts.c[SQLITE_TABLE].match(
                words_query(pattern, words, any_of)))))
        if numbers:
            query = query.where(Article.id.in_(select(fts_numbers.c.rowid).where(
                fts_numbers.c[SQLITE_NUMBERS].match(numbers_query(pattern, numbers)))))
        return query
    if dialect == "postgresql" and (words or any_of or numbers) and reach(pattern) <= STRIDE + 1:
        # Every word and number in one window, as a match has them.
        return query.where(ARTICLE_WINDOWS.op("@@")(cast(literal(windows_query(words, any_of, numbers)), TSQUERY)))
    if words or any_of:
        query = query.where(_postgres_words(words, any_of) if dialect == "postgresql" else _like_words(words, any_of))
    # A number of four digits or more either way a text may write it ("1200" or "1,200").
    return query.where(*(or_(*(Article.body_text.like(f"%{written}%")
                               for written in sorted({number, _written(number)}))) for number in numbers))


def _postgres_words(words: list[str], any_of: list[str]) -> ColumnElement[bool]:
    wanted = " & ".join(words + ([f"({' | '.join(any_of)})"] if any_of else []))
    return ARTICLE_WORDS.op("@@")(func.to_tsquery(literal_column("'simple'"), wanted))


def _like_words(words: list[str], any_of: list[str]) -> ColumnElement[bool]:
    likes = [Article.body_text.like(f"%{word}%") for word in words]
    if any_of:
        likes.append(or_(*(Article.body_text.like(f"%{word}%") for word in any_of)))
    return and_(*likes)
