"""the sweep's index of the articles' words: FTS5 on SQLite, words with joiners inside on PostgreSQL

On SQLite, an FTS5 table of the words of every article's text (`article_words`), for the archive sweep to read only
the articles that have a correction's words (repeats/word_index.py, which names what is made here, so that migration
checks leave it alone), and its counts of articles per word (`article_words_vocab`), for the sweep to ask for the
rarest. The table keeps no copy of the texts: its content is the view `article_words_text`, the articles' texts with
the characters that may sit inside a word removed (soft hyphens, zero-width spaces and joiners, word joiners, byte
order marks: repeats/matching.JOINERS), which a tokenizer takes for a word's end ("Kings\u00admere" would be the
words "kings" and "mere", never "kingsmere"). Digits part words too, as they do for the matcher: "£4.2bn" has the
word "bn", "1990s" the word "s". Triggers on `article` keep the table in step with every insert, change of text
and delete, whichever code (or gen-fake's bulk writer) makes it; ('rebuild') makes it again from the view.

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
TABLE = """
CREATE VIRTUAL TABLE article_words USING fts5(
    body_text, content='article_words_text', content_rowid='id',
    tokenize="unicode61 separators '0123456789'"
)
"""
VOCAB = "CREATE VIRTUAL TABLE article_words_vocab USING fts5vocab(article_words, 'row')"
INDEXED = f"INSERT INTO article_words (rowid, body_text) VALUES (NEW.id, {without_joiners('NEW.body_text')});"
# FTS5 takes an external content's row out by the words it was given for it.
TAKEN_OUT = (f"INSERT INTO article_words (article_words, rowid, body_text) "
             f"VALUES ('delete', OLD.id, {without_joiners('OLD.body_text')});")
TRIGGERS = [
    f"CREATE TRIGGER article_words_insert AFTER INSERT ON article BEGIN {INDEXED} END",
    f"CREATE TRIGGER article_words_delete AFTER DELETE ON article BEGIN {TAKEN_OUT} END",
    f"CREATE TRIGGER article_words_update AFTER UPDATE OF body_text ON article "
    f"WHEN OLD.body_text IS NOT NEW.body_text BEGIN {TAKEN_OUT} {INDEXED} END",
]


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


# PostgreSQL's index, before and after (word_index.ARTICLE_WORDS asks by the expression of the second).
POSTGRES_BEFORE = "CREATE INDEX ix_article_body_words ON article USING gin (to_tsvector('simple', body_text))"
POSTGRES_AFTER = ("CREATE INDEX ix_article_body_words ON article USING gin (to_tsvector('simple', translate(body_text, "
                  "E'" + "".join(f"\\u{code:04X}" for code in JOINERS) + "', '')))")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        run("DROP INDEX ix_article_body_words")
        run(POSTGRES_AFTER)
        return
    if not fts5():
        return
    run(VIEW)
    run(TABLE)
    run(VOCAB)
    for statement in TRIGGERS:
        run(statement)
    run("INSERT INTO article_words (article_words) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        run("DROP INDEX ix_article_body_words")
        run(POSTGRES_BEFORE)
        return
    for name in ("insert", "delete", "update"):
        run(f"DROP TRIGGER IF EXISTS article_words_{name}")
    run("DROP TABLE IF EXISTS article_words_vocab")
    run("DROP TABLE IF EXISTS article_words")
    run("DROP VIEW IF EXISTS article_words_text")
