"""Full-text search over reports (description, passage, suggested correction).

The index is made by hand in a migration, because the two databases do it differently: SQLite has an FTS5
table `report_search` kept by triggers, PostgreSQL a generated `tsvector` column `report.search` with a
GIN index, built with the 'simple' configuration (no stemming, no stop words) so that both databases find
the same reports. What the editor types is never handed to either query language as it stands: it is cut
into words (runs of letters and digits, as both indexes cut the text), so quotes, stars, NEAR( or a minus
sign are just characters between words. Every word must appear; a piece like "2.4" or "e-mail" must
appear as written (its words side by side); a piece ending in a star ("harb*") also matches longer words
its last word starts. Case is ignored; accents are not.

Words match whole unless starred because a prefix costs the index a merge of every word it starts,
each time: with a million reports, a common word as a prefix would make every search page slower.
"""

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, inspect, literal_column, select, table
from sqlalchemy import column as sql_column

from corrections.extensions import db

# What the migration makes by hand: migration checks (migrations/env.py, tests) leave these alone.
SQLITE_TABLE = "report_search"
POSTGRES_COLUMN = "search"
TEXT_COLUMNS = ("description", "passage", "suggested_correction")
MAX_WORDS = 20

WORD = re.compile(r"[^\W_]+")

fts = table(SQLITE_TABLE, sql_column("rowid"), sql_column(SQLITE_TABLE))


def hand_made(name: str | None, type_: str, parent_names: dict | None = None) -> bool:
    """Whether a database object belongs to the search index (for Alembic's include_name hook)."""
    if type_ == "table":
        return bool(name) and (name == SQLITE_TABLE or name.startswith(SQLITE_TABLE + "_"))
    if type_ == "column":
        return name == POSTGRES_COLUMN and (parent_names or {}).get("table_name") == "report"
    if type_ == "index":
        return name == "ix_report_search"
    return False


def include_name(name, type_, parent_names) -> bool:
    return not hand_made(name, type_, parent_names)


@dataclass(frozen=True)
class Piece:
    """Words typed together ("2.4" is 2 then 4), and whether the last one may start a longer word."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """A search as both databases take it."""

    pieces: tuple[Piece, ...]

    @classmethod
    def parse(cls, text: str) -> "Query":
        pieces, count = [], 0
        for chunk in text.split():
            words = WORD.findall(chunk)[: MAX_WORDS - count]
            if words:
                pieces.append(Piece(tuple(words), prefix=chunk.endswith("*")))
                count += len(words)
        return cls(tuple(pieces))

    def __bool__(self) -> bool:
        return bool(self.pieces)

    def fts5(self, statuses: tuple[str, ...] | None = None, clusters=()) -> str:
        """For SQLite's MATCH: each piece a quoted phrase (words hold no quote), in the text columns;
        optionally only reports in these statuses and groups (cluster ids)."""
        phrases = ['"' + " ".join(p.words) + '"' + ("*" if p.prefix else "") for p in self.pieces]
        parts = ["{" + " ".join(TEXT_COLUMNS) + "}: (" + " ".join(phrases) + ")"]
        if statuses:
            # The tokenizer cuts "in_review" into two words.
            parts.append("{status}: (" + " OR ".join('"' + s.replace("_", " ") + '"' for s in statuses) + ")")
        if clusters:
            parts.append("{cluster_id}: (" + " OR ".join(str(int(c)) for c in clusters) + ")")
        return " AND ".join(parts)

    @property
    def tsquery(self) -> str:
        """For PostgreSQL's to_tsquery: pieces joined by &, words of a piece by <->."""
        phrases = [" <-> ".join(f"'{word}'" for word in p.words) + (":*" if p.prefix else "") for p in self.pieces]
        return " & ".join(phrases)


def postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def matches(entity, query: Query, *, after: int | None = None) -> ColumnElement[bool]:
    """Whether a report holds the query's words; `entity` is Report or an alias of it made with a name.

    `after`: only reports with a higher id are asked about (the new reports since a snapshot)."""
    if postgres():
        found = inspect(entity)
        name = found.name if found.is_aliased_class else found.local_table.name
        return literal_column(f"{name}.{POSTGRES_COLUMN}").op("@@")(
            func.to_tsquery(literal_column("'simple'"), query.tsquery))
    # SQLite works out the hits once per statement; a look-up per report would cost far more. The index
    # skips to the ids after `after` itself, instead of listing every hit of a common word first.
    hits = select(fts.c.rowid).where(fts.c[SQLITE_TABLE].match(query.fts5()))
    return entity.id.in_(hits if after is None else hits.where(fts.c.rowid > after))
