"""Admin page: the e-mail outbox, so an admin can see that readers are being told (or why not)."""

from flask import current_app, render_template

from corrections.editor.blueprint import admin_required, bp
from corrections.infra import mail, retry_queue

SHOWN = 100


@bp.get("/admin/outbox")
@admin_required
def outbox():
    return render_template("editor/outbox.html", counts=mail.status_counts(),
                           messages=mail.listing(pending_only=False, limit=SHOWN), shown=SHOWN,
                           server=current_app.config.get("MAIL_SERVER"), shown_error=retry_queue.shown_error)
