"""Lists of values (group ids, article ids, states) bound as one parameter of a statement.

A statement built with one part per value (a UNION ALL of a subquery per group, say) is a new statement each time the
number of values changes: SQLAlchemy builds it, computes its cache key and compiles it anew, which on the queue's pages
cost more than the database's reads. Read from a list bound as one parameter, the statement has the same text whatever
the values, and is compiled once: each value still drives its own index range (a correlated or lateral subquery).
"""

import json

from sqlalchemy import Integer, bindparam, column, func, inspect, literal_column, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from corrections.extensions import db


def bound_list(values, item_type=Integer):
    """The values as a table of one column, `value`, bound as one parameter: a JSON array read by json_each on SQLite,
    an array read by unnest on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return (func.unnest(bindparam(None, list(values), type_=ARRAY(item_type)))
                .table_valued(column("value", item_type)).render_derived())
    return func.json_each(bindparam(None, json.dumps(list(values)))).table_valued(column("value", item_type))


def each_first(froms, query, entity, alias):
    """The rows of `query` for each row of `froms` (bound lists, joined), in one statement: `query` reads `alias` of
    the mapped class `entity`, correlated to `froms`, a short ordered range with a limit (one index range per value).
    Its columns are read back from `entity` under the same names.

    PostgreSQL runs it as a lateral subquery. SQLite, which has none, takes the rowids of the query's rows (a
    correlated list, still a range per value), then each row by its rowid: with no other condition on `entity`, the
    planner has no other way in (given its table's status too, it read every row of the status to test each)."""
    if db.engine.dialect.name == "postgresql":
        rows = query.lateral()
        return select(*rows.c).select_from(froms).join(rows, true())
    columns = [getattr(entity, c.key) for c in query.selected_columns]
    keys = query.with_only_columns(literal_column(f"{inspect(alias).name}.rowid"))
    return select(*columns).select_from(froms).join(entity, literal_column(f"{entity.__tablename__}.rowid").in_(keys))
