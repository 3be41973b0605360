"""the sweep's index of the articles' words: FTS5 on SQLite, words with joiners inside on PostgreSQL

On SQLite, two FTS5 tables of every article's text, for the archive sweep to read only the articles that have a
correction's words and numbers (repeats/word_index.py, which names what is made here, so that migration checks leave
it alone): `article_words`, its words (runs of letters), with `article_words_vocab`, how many articles have each
word, for the sweep to ask for the rarest; and `article_numbers`, its numbers (runs of digits: "4.2" is 4 then 2).
Letters and digits part each other as they do for the matcher: "£4.2bn" has the word "bn" and the numbers 4 and 2,
"Q3" the word "q" and the number 3 (one FTS5 table would have the tokens "2bn" and "q3", which neither a word nor a
number asked for finds).

The tables keep no copy of the texts: their content is the view `article_words_text`, the articles' texts with the
characters that may sit inside a word removed (soft hyphens, zero-width spaces and joiners, word joiners, byte order
marks: repeats/matching.JOINERS), which a tokenizer takes for a word's end ("Kings\u00admere" would be the words
"kings" and "mere", never "kingsmere"). Triggers on `article` keep both in step with every insert, change of text and
delete, whichever code (or gen-fake's bulk writer) makes it; ('rebuild') makes either again from the view.

On PostgreSQL the GIN index of b5d1f3a7c9e2 is made again on the texts without those characters, for the same
reason (the sweep asks by the new expression).

A SQLite without FTS5 gets none of this (the sweep then reads the articles through LIKE, as it did before). A later
SQLite migration that makes batch_alter_table copy the `article` table drops the triggers: it must create them
again (tests/repeats/test_word_index.py fails if it does not).

Revision ID: daba20773289
Revises: b5d1f3a7c9e2
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
from sqlalchemy.exc import OperationalError


# revision identifiers, used by Alembic.
revision = 'daba20773289'
down_revision = 'b5d1f3a7c9e2'
branch_labels = None
depends_on = None

# matching.JOINERS, as SQL: U+00AD, U+200B, U+200C, U+200D, U+2060, U+FEFF (written out: a migration stays as it
# was written, whatever the matcher says later).
JOINERS = (173, 8203, 8204, 8205, 8288, 65279)


def without_joiners(column: str) -> str:
    expression = column
    for code in JOINERS:
        expression = f"replace({expression}, char({code}), '')"
    return expression


VIEW = f"CREATE VIEW article_words_text AS SELECT id, {without_joiners('body_text')} AS body_text FROM article"
# Each table's tokens: letters (any script; FTS5 folds their case and accents), or decimal digits, as the matcher's
# words and numbers are (repeats/matching.TOKEN).
TABLES = {"article_words": "L*", "article_numbers": "Nd"}
VOCAB = "CREATE VIRTUAL TABLE article_words_vocab USING fts5vocab(article_words, 'row')"


def made(name: str, categories: str) -> str:
    return (f"CREATE VIRTUAL TABLE {name} USING fts5(body_text, content='article_words_text', content_rowid='id', "
            f"tokenize=\"unicode61 categories '{categories}'\")")


def indexed(name: str) -> str:
    return f"INSERT INTO {name} (rowid, body_text) VALUES (NEW.id, {without_joiners('NEW.body_text')});"


def taken_out(name: str) -> str:
    # FTS5 takes an external content's row out by the words it was given for it.
    return (f"INSERT INTO {name} ({name}, rowid, body_text) "
            f"VALUES ('delete', OLD.id, {without_joiners('OLD.body_text')});")


INDEXED = " ".join(indexed(name) for name in TABLES)
TAKEN_OUT = " ".join(taken_out(name) for name in TABLES)
TRIGGERS = [
    f"CREATE TRIGGER article_words_insert AFTER INSERT ON article BEGIN {INDEXED} END",
    f"CREATE TRIGGER article_words_delete AFTER DELETE ON article BEGIN {TAKEN_OUT} END",
    f"CREATE TRIGGER article_words_update AFTER UPDATE OF body_text ON article "
    f"WHEN OLD.body_text IS NOT NEW.body_text BEGIN {TAKEN_OUT} {INDEXED} END",
]
# PostgreSQL's index, before and after (word_index.ARTICLE_WORDS asks by the expression of the second).
POSTGRES_BEFORE = "CREATE INDEX ix_article_body_words ON article USING gin (to_tsvector('simple', body_text))"
POSTGRES_AFTER = ("CREATE INDEX ix_article_body_words ON article USING gin (to_tsvector('simple', translate(body_text, "
                  "E'" + "".join(f"\\u{code:04X}" for code in JOINERS) + "', '')))")


def run(statement: str) -> None:
    # Straight to the driver: the SQL holds quotes and colons that are not parameters.
    op.get_bind().exec_driver_sql(statement)


def fts5() -> bool:
    """Whether this SQLite has FTS5 (built in, as in Python's own, or loaded)."""
    try:
        run("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(words)")
    except OperationalError:
        return False
    run("DROP TABLE temp.fts5_probe")
    return True


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        run("DROP INDEX ix_article_body_words")
        run(POSTGRES_AFTER)
        return
    if not fts5():
        return
    run(VIEW)
    for name, categories in TABLES.items():
        run(made(name, categories))
    run(VOCAB)
    for statement in TRIGGERS:
        run(statement)
    for name in TABLES:
        run(f"INSERT INTO {name} ({name}) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        run("DROP INDEX ix_article_body_words")
        run(POSTGRES_BEFORE)
        return
    for name in ("insert", "delete", "update"):
        run(f"DROP TRIGGER IF EXISTS article_words_{name}")
    run("DROP TABLE IF EXISTS article_words_vocab")
    for name in TABLES:
        run(f"DROP TABLE IF EXISTS {name}")
    run("DROP VIEW IF EXISTS article_words_text")
