"""the sweep's index of which words are near each other, on PostgreSQL

On PostgreSQL, a GIN index of every article's words tagged with the window of the text they are in, for the archive
sweep to read only the articles where a correction's words and numbers are as near each other as a match has them
(repeats/word_index.py, which names what is made here, so that migration checks leave it alone). The GIN index of
the whole text (daba20773289) has every word of an article without saying where: a correction whose words are all
in most articles, far apart, left 43,742 of 100,350 articles to read (bench/README.md, "Repeated errors").

The words are the text's runs of letters a to z and of digits, lower case, with the characters that may sit inside
a word removed (repeats/matching.JOINERS), as the sweep asks for them: "£4.2bn" is 4, 2 and "bn". Counted from 1,
window n holds words n * 48 + 1 to n * 48 + 96, so any 49 words in a row are all in one window; a window whose words
the one before holds too is left out. Each word is indexed once for each window it is in, as "word_slot", the slot
being the window's number modulo 32 (so that a query asks for 32 slots whatever the text's length: two windows 32
apart share their slot, which can only make an article a candidate, never leave one out), and once as itself: a
query asks for the words anywhere in the text and in one slot, so that the index reads only the articles that have
its rarest word (with the slots alone, an OR of 32, it would read every article that has any of them).

An index on an expression of the text: PostgreSQL keeps it at every insert and change of an article's text, whoever
writes it, and builds it here for the articles already there. SQLite has its FTS5 tables' NEAR (daba20773289):
nothing is made there.

Revision ID: 184d30368554
Revises: daba20773289
Create Date: 2026-12-07 18:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '184d30368554'
down_revision = 'daba20773289'
branch_labels = None
depends_on = None

# Written out: a migration stays as it was written, whatever word_index says later (its STRIDE and SLOTS must be
# these, and it asks by this function's name).
STRIDE, SLOTS = 48, 32
# matching.JOINERS, as in daba20773289.
JOINERS = "E'" + "".join(f"\\u{code:04X}" for code in (173, 8203, 8204, 8205, 8288, 65279)) + "'"
# What the function costs the planner (in cpu_operator_cost; about 2 ms a text measured): reading the texts and
# working it out for each is never cheaper than the index.
COST = 10000
# A tsvector's word is at most 2,046 bytes: a longer run (no word anyone corrects) is left out rather than refused.
LONGEST = 500

# Each word (numbered from 1) is in the window of its own stride and in the one before; and in the text.
WINDOWS = f"""
CREATE FUNCTION article_window_words(body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST {COST} AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT word)
                                      || array_agg(DISTINCT word || '_' || mod(place, {SLOTS}))), ''::tsvector)
    FROM (SELECT found[1] AS word, number, count(*) OVER () AS total
          FROM regexp_matches(lower(translate(body, {JOINERS}, '')), '[a-z]+|[0-9]+', 'g')
               WITH ORDINALITY AS token(found, number)) AS words
    CROSS JOIN LATERAL (VALUES ((number - 1) / {STRIDE}), ((number - 1) / {STRIDE} - 1)) AS windows(place)
    WHERE place >= 0 AND (place = 0 OR place * {STRIDE} + {STRIDE} < total) AND length(word) <= {LONGEST}
$$"""
INDEX = "CREATE INDEX ix_article_window_words ON article USING gin (article_window_words(body_text))"


def run(statement: str) -> None:
    # Straight to the driver: the SQL holds quotes and colons that are not parameters.
    op.get_bind().exec_driver_sql(statement)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    run(WINDOWS)
    run(INDEX)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    run("DROP INDEX IF EXISTS ix_article_window_words")
    run("DROP FUNCTION IF EXISTS article_window_words(text)")
