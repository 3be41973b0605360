"""Baseline: a minimal Flask-SQLAlchemy page that loads one article by its slug and its shown corrections
by article id (both indexed), and renders them with a small Jinja template (templates/article.html).

It reads the benchmark's own database (BENCH_DATABASE_URL), with only the columns it shows.
"""

import os
import sqlite3

from flask import Flask, abort, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, ForeignKey, String, Text, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Article(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    byline: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


class Notice(db.Model):
    __tablename__ = "correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    published_at = mapped_column(db.DateTime(timezone=True))
    withdrawn_at = mapped_column(db.DateTime(timezone=True))


def database_url() -> str:
    url = os.environ["BENCH_DATABASE_URL"]
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith(("postgres://", "postgresql://")) else url


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(connection, _record) -> None:
    # The app's own settings, so the baseline reads SQLite the same way.
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = database_url()
if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
db.init_app(app)


@app.get("/articles/<slug>")
def article(slug: str):
    found = db.session.scalar(select(Article).where(Article.slug == slug)) or abort(404)
    notices = db.session.scalars(
        select(Notice).where(Notice.article_id == found.id, Notice.withdrawn_at.is_(None))
        .order_by(Notice.published_at.desc(), Notice.id.desc())
    ).all()
    return render_template("article.html", article=found, notices=notices)
