"""The editors' dashboard: the blueprint (blueprint.py) with every page's routes on it."""

from corrections.editor import (  # noqa: F401  (each page adds its routes to the blueprint when imported)
    account,
    admin,
    article,
    canned_answers,
    changes,
    clocks,
    desks,
    editors,
    metrics,
    outbox,
    policies,
    presence,
    queue,
    repeats,
    report,
    saved_views,
    tokens,
    undo,
    webhooks,
)
from corrections.editor.blueprint import bp

__all__ = ["bp"]
