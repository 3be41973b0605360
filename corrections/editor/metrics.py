"""The metrics page: how fast reports are handled and where they come from, over 7, 30, 90 or 365 days."""

from flask import flash, render_template, request

from corrections.editor.blueprint import bp
from corrections.figures import metrics


@bp.get("/metrics", endpoint="metrics")
def metrics_page():
    asked = (request.args.get("days") or "").strip()
    days = metrics.parse_window(asked)
    if days is None:
        days = metrics.DEFAULT_WINDOW
        if asked:
            allowed = ", ".join(map(str, metrics.WINDOWS[:-1])) + f" or {metrics.WINDOWS[-1]}"
            flash(f"Ignored in the address: days “{asked[:40]}” (use {allowed}); showing {days} days.", "warning")
    figures = metrics.compute(days)
    return render_template(
        "editor/metrics.html",
        m=figures,
        targets=figures.targets,
        windows=metrics.WINDOWS,
        duration=metrics.duration_words,
    )
