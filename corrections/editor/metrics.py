"""The metrics page: how fast reports are handled and where they come from, over 7, 30, 90 or 365 days."""

from flask import flash, render_template, request
from flask_babel import ngettext

from corrections import languages
from corrections.editor.blueprint import bp
from corrections.figures import elsewhere, metrics


@bp.get("/metrics", endpoint="metrics")
def metrics_page():
    asked = (request.args.get("days") or "").strip()
    days = metrics.parse_window(asked)
    if days is None:
        days = metrics.DEFAULT_WINDOW
        if asked:
            allowed = languages.word_list([languages.number(n) for n in metrics.WINDOWS], style="or")
            # Translators: %(asked)s is what the address held; %(allowed)s the numbers it may hold ("7, 30, 90 or 365").
            flash(ngettext("Ignored in the address: days “%(asked)s” (use %(allowed)s); showing %(days)s day.",
                           "Ignored in the address: days “%(asked)s” (use %(allowed)s); showing %(days)s days.",
                           days, asked=asked[:40], allowed=allowed, days=languages.number(days)), "warning")
    figures = metrics.compute(days)
    return render_template(
        "editor/metrics.html",
        m=figures,
        targets=figures.targets,
        windows=metrics.WINDOWS,
        duration=metrics.duration_words,
        elsewhere=elsewhere.compute(figures.start, figures.end),
        seconds=elsewhere.seconds_words,
    )
