"""Admin pages: webhook endpoints (add, edit, disable, delete, rotate the secret) and their recent deliveries."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from corrections.editor.blueprint import admin_required, bp, me
from corrections.extensions import db
from corrections.infra import webhooks
from corrections.languages import N_, FieldMessage, number
from corrections.models import WebhookDelivery, WebhookEndpoint
from corrections.transaction import save


class EndpointForm(FlaskForm):
    # The URL's rules live in webhooks.check_url, shared with every other way of setting it.
    url = URLField(_l("Address (URL)"), validators=[InputRequired(message=webhooks.URL_MISSING)],
                   description=_l("Where each event is sent as a signed JSON POST, e.g. "
                                  "https://hooks.example.org/corrections."))
    description = StringField(_l("Description"), validators=[Optional(), Length(
        max=webhooks.DESCRIPTION_MAX,
        message=FieldMessage(N_("Please keep the description under %(most)s characters."),
                             most=webhooks.DESCRIPTION_MAX))],
                              description=_l("What receives the events, e.g. “Newsroom chat”."))
    events = SelectMultipleField(_l("Events"), choices=[SelectChoice(name, name) for name in webhooks.EVENTS],
                                 validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class DeleteForm(FlaskForm):
    confirm = BooleanField(_l("Yes, delete this endpoint and its delivery log"))


def render_list(form: EndpointForm, status: int = 200, **extra):
    return render_template("editor/webhooks.html", endpoints=webhooks.all_endpoints(), form=form,
                           waiting=webhooks.waiting_counts(), backlog=webhooks.backlog(), events=webhooks.EVENTS,
                           **extra), status


def render_endpoint(endpoint: WebhookEndpoint, status: int = 200, form: EndpointForm | None = None, **extra):
    if form is None:
        form = EndpointForm(formdata=None, url=endpoint.url, description=endpoint.description,
                            events=endpoint.event_names)
    return render_template("editor/webhook.html", endpoint=endpoint, form=form,
                           delete_form=extra.pop("delete_form", None) or DeleteForm(formdata=None),
                           deliveries=webhooks.recent_deliveries(endpoint), shown=webhooks.RECENT,
                           events=webhooks.EVENTS, shown_error=webhooks.shown_error, **extra), status


def load_endpoint(endpoint_id: int) -> WebhookEndpoint:
    return db.session.get(WebhookEndpoint, endpoint_id) or abort(404)


@bp.get("/admin/webhooks")
@admin_required
def webhooks_page():
    return render_list(EndpointForm(formdata=None, events=["correction.published"]))


@bp.post("/admin/webhooks")
@admin_required
def create_webhook():
    form = EndpointForm()
    if form.validate_on_submit():
        outcome = save(lambda: webhooks.create_endpoint(form.url.data or "", form.events.data or [],
                                                        description=form.description.data or "", by=me()), form=form)
        if outcome.done:
            endpoint, secret = outcome.result
            # Shown in this response only: never put in the session (a cookie) or a redirect.
            body, status = render_endpoint(endpoint, 201, new_secret=secret, created=True)
            return body, status, {"Cache-Control": "no-store"}
    return render_list(form, 400)


@bp.get("/admin/webhooks/<int:endpoint_id>")
@admin_required
def webhook(endpoint_id: int):
    return render_endpoint(load_endpoint(endpoint_id))


@bp.post("/admin/webhooks/<int:endpoint_id>")
@admin_required
def update_webhook(endpoint_id: int):
    endpoint = load_endpoint(endpoint_id)
    form = EndpointForm()
    if form.validate_on_submit() and save(lambda: webhooks.update_endpoint(
            endpoint, form.url.data or "", form.events.data or [], description=form.description.data or ""),
            form=form).done:
        flash(_("Endpoint saved."), "success")
        return redirect(url_for("editor.webhook", endpoint_id=endpoint.id))
    return render_endpoint(endpoint, 400, form=form)


@bp.post("/admin/webhooks/<int:endpoint_id>/active")
@admin_required
def set_webhook_active(endpoint_id: int):
    endpoint = load_endpoint(endpoint_id)
    activate = request.form.get("active") == "1"
    cancelled = save(lambda: webhooks.set_active(endpoint, activate)).result
    if activate:
        flash(_("Endpoint enabled: new events are sent to it again."), "success")
    elif cancelled:
        flash(ngettext("Endpoint disabled: no events are sent to it; %(count)s waiting delivery was cancelled.",
                       "Endpoint disabled: no events are sent to it; %(count)s waiting deliveries were cancelled.",
                       cancelled, count=number(cancelled)), "success")
    else:
        flash(_("Endpoint disabled: no events are sent to it."), "success")
    return redirect(url_for("editor.webhook", endpoint_id=endpoint.id))


@bp.post("/admin/webhooks/<int:endpoint_id>/rotate")
@admin_required
def rotate_webhook_secret(endpoint_id: int):
    endpoint = load_endpoint(endpoint_id)
    secret = save(lambda: webhooks.rotate_secret(endpoint)).result
    body, status = render_endpoint(endpoint, 200, new_secret=secret)
    return body, status, {"Cache-Control": "no-store"}


@bp.post("/admin/webhooks/<int:endpoint_id>/ping")
@admin_required
def ping_webhook(endpoint_id: int):
    endpoint = load_endpoint(endpoint_id)
    if save(lambda: webhooks.ping(endpoint, by=me())).done:
        flash(_("A test delivery is queued: it goes out within seconds (see below)."), "success")
    return redirect(url_for("editor.webhook", endpoint_id=endpoint.id))


@bp.post("/admin/webhooks/<int:endpoint_id>/delete")
@admin_required
def delete_webhook(endpoint_id: int):
    endpoint = load_endpoint(endpoint_id)
    form = DeleteForm()
    if not (form.validate_on_submit() and form.confirm.data):
        form.confirm.errors = [_("Tick the box to confirm: nothing was deleted.")]
        return render_endpoint(endpoint, 400, delete_form=form)
    shown = endpoint.description or endpoint.url
    save(lambda: webhooks.delete_endpoint(endpoint))
    flash(_("Endpoint “%(name)s” deleted.", name=shown), "success")
    return redirect(url_for("editor.webhooks_page"))


@bp.post("/admin/webhooks/deliveries/<int:delivery_id>/resend")
@admin_required
def resend_delivery(delivery_id: int):
    delivery = db.session.get(WebhookDelivery, delivery_id) or abort(404)
    if save(lambda: webhooks.resend(delivery)).done:
        flash(_("Delivery %(id)s queued again.", id=delivery.uid), "success")
    return redirect(url_for("editor.webhook", endpoint_id=delivery.endpoint_id))
