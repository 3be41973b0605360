"""Baseline: a minimal endpoint that inserts one row per form POST and answers 303, as the report form does.

Its own table (bench_insert) in BENCH_DATABASE_URL: a SQLite file of its own, with the app's pragmas
(WAL, synchronous=NORMAL), or a table in the benchmark's PostgreSQL database.
"""

import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, redirect, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, String, Text, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class BenchInsert(db.Model):
    __tablename__ = "bench_insert"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    passage: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def database_url() -> str:
    url = os.environ["BENCH_DATABASE_URL"]
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith(("postgres://", "postgresql://")) else url


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(connection, _record) -> None:
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
with app.app_context():
    db.create_all()


@app.post("/articles/<slug>/report")
def insert(slug: str):
    row = BenchInsert(slug=slug, category=request.form.get("category", ""), passage=request.form.get("passage", ""),
                      description=request.form.get("description", ""), created_at=datetime.now(UTC))
    db.session.add(row)
    db.session.commit()
    return redirect(f"/done/{row.id}", code=303)
