"""The reader's report form: fields, limits (from vocabulary.py) and messages a person can act on."""

import time

from email_validator import EmailNotValidError
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields import EmailField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from corrections import languages, vocabulary
from corrections.languages import N_, FieldMessage
from corrections.reports import filing
from corrections.text import clean_text, deliverable_email, email_problem, is_http_url


def cleaned(value):
    return clean_text(value).strip() if isinstance(value, str) else value


def too_long(limit: int) -> Length:
    message = N_("Please keep this under %(limit)s characters (it has %(length)s).")
    return Length(max=limit, message=FieldMessage(message, limit=limit))


def _timestamp_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="report-form-served")


def form_served_token() -> str:
    """A signed note of when the form was served, to spot forms sent faster than a person types."""
    return _timestamp_signer().dumps(int(time.time()))


def seconds_since_served(token: str) -> float | None:
    try:
        served = _timestamp_signer().loads(token or "")
    except BadSignature:
        return None
    return time.time() - float(served)


class ReportForm(FlaskForm):
    passage = TextAreaField(
        _l("The passage that is wrong"),
        filters=[cleaned],
        validators=[Optional(), too_long(vocabulary.PASSAGE_MAX)],
        description=_l("Copy the words from the article, if you can."),
    )
    category = RadioField(
        _l("What kind of problem is it?"),
        choices=[SelectChoice(value, label) for value, label in vocabulary.CATEGORIES.items()],
        validators=[InputRequired(message=_l("Choose what kind of problem it is."))],
        validate_choice=False,  # checked below, with a clearer message than WTForms' own
    )
    description = TextAreaField(
        _l("What is wrong?"),
        filters=[cleaned],
        validators=[
            InputRequired(message=_l("Tell us what is wrong.")),
            Length(
                min=vocabulary.DESCRIPTION_MIN,
                max=vocabulary.DESCRIPTION_MAX,
                message=FieldMessage(N_("Please write between %(least)s and %(most)s characters (it has %(length)s)."),
                                     least=vocabulary.DESCRIPTION_MIN, most=vocabulary.DESCRIPTION_MAX),
            ),
        ],
    )
    suggested_correction = TextAreaField(
        _l("What should it say instead?"), filters=[cleaned],
        validators=[Optional(), too_long(vocabulary.SUGGESTION_MAX)],
    )
    source_url = URLField(
        _l("A source that shows it"),
        filters=[cleaned],
        validators=[Optional(), too_long(vocabulary.SOURCE_URL_MAX)],
        description=_l("A link starting with http:// or https://"),
    )
    name = StringField(_l("Your name"), filters=[cleaned],
                       validators=[Optional(), too_long(vocabulary.REPORTER_NAME_MAX)])
    email = EmailField(
        _l("Your e-mail"),
        filters=[cleaned],
        validators=[Optional(), too_long(vocabulary.EMAIL_MAX)],
        description=_l("Only to tell you what became of your report. Never shown to anyone else."),
    )
    notify = BooleanField(_l("E-mail me when an editor has decided"))
    # Honeypot: hidden from people, filled by bots that fill every field.
    website = StringField(_l("Leave this field empty"))
    served = HiddenField()

    def validate_category(self, field):
        if field.data not in vocabulary.CATEGORIES:
            raise ValidationError(gettext("Choose one of the kinds of problem listed."))

    def validate_source_url(self, field):
        if field.data and not is_http_url(field.data):
            raise ValidationError(gettext("Give a web address starting with http:// or https://, or leave this empty."))

    def validate_email(self, field):
        if not field.data:
            return
        try:
            # Kept in the form every mail server takes (the domain in ASCII), unless the address cannot have one.
            field.data = deliverable_email(field.data)
        except EmailNotValidError as error:
            raise ValidationError(gettext("Check the e-mail address: %(problem)s.",
                                          problem=email_problem(error))) from None

    def validate_notify(self, field):
        if field.data and not self.email.data:
            raise ValidationError(gettext("Give your e-mail address above so we can write to you, or untick this box."))

    def to_input(self) -> filing.ReportInput:
        return filing.ReportInput(
            category=self.category.data,
            description=self.description.data,
            passage=self.passage.data or "",
            suggested_correction=self.suggested_correction.data or "",
            source_url=self.source_url.data or "",
            name=self.name.data or "",
            email=self.email.data or "",
            notify=bool(self.notify.data),
            language=languages.language(),
        )

    def spam_reason(self, min_seconds: float) -> str:
        """Why this submission looks automated, or "" when it looks like a person's."""
        return filing.spam_signal(honeypot_filled=bool(self.website.data),
                                  elapsed=seconds_since_served(self.served.data) if min_seconds > 0 else None,
                                  min_seconds=min_seconds)
