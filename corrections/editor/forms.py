"""Forms of the dashboard. Each action form carries the report version the editor saw."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from .. import accounts, notices
from ..models import CORRECTION_KINDS
from ..text import parse_id
from ..workflow import REJECT_REASONS

OTHER = "other"
REASON_CHOICES = [SelectChoice(reason, reason) for reason in REJECT_REASONS] + [
    SelectChoice(OTHER, "Another reason (write it below)")
]
REASON_MAX = 2000
NOTE_MAX = 5000


class VersionedForm(FlaskForm):
    version = HiddenField()

    def seen_version(self) -> int | None:
        return parse_id(self.version.data)


class MoveForm(VersionedForm):
    to = HiddenField(validators=[InputRequired()])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=REASON_MAX)])


class ReasonFields:
    """The canned reasons plus free text, shared by the report page and bulk actions."""

    reason = RadioField("Reason given to the reader", choices=REASON_CHOICES, validate_choice=False)
    reason_text = TextAreaField("Your own words", validators=[Optional(), Length(max=REASON_MAX)])

    def chosen_reason(self) -> str:
        if self.reason.data and self.reason.data != OTHER and self.reason.data in REJECT_REASONS:
            extra = (self.reason_text.data or "").strip()
            return f"{self.reason.data} {extra}".strip()
        return (self.reason_text.data or "").strip()


class RejectForm(VersionedForm, ReasonFields):
    pass


class AssignForm(VersionedForm):
    assignee = SelectField("Assign to", coerce=str, validate_choice=False)


class DuplicateForm(VersionedForm):
    original = StringField("Duplicate of (reference)", validators=[
        InputRequired(message="Give the reference of the original report, e.g. R-7F3KQ2."), Length(max=20)])


class NoteForm(VersionedForm):
    text = TextAreaField("Internal note", validators=[InputRequired(message="The note is empty."),
                                                      Length(max=NOTE_MAX)])


class BulkForm(FlaskForm, ReasonFields):
    action = SelectField("With the selected reports", coerce=str, validate_choice=False)
    assignee = SelectField("Editor", coerce=str, validate_choice=False)
    original = StringField("Original (reference)", validators=[Optional(), Length(max=20)])
    back = HiddenField()


class NewEditorForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired(message="Enter an e-mail address."), Length(max=320)])
    name = StringField("Name", validators=[Optional(), Length(max=accounts.NAME_MAX)])
    password = PasswordField("Password", validators=[InputRequired(message="Choose a password."),
                                                     Length(max=accounts.PASSWORD_MAX)],
                             description=f"At least {accounts.PASSWORD_MIN} characters.")
    is_admin = BooleanField("Admin (can manage editors)")


KIND_CHOICES = [SelectChoice(value, label) for value, label in CORRECTION_KINDS.items()]


class PublishForm(FlaskForm):
    kind = RadioField("Kind of notice", choices=KIND_CHOICES, default="correction", validate_choice=False)
    text = TextAreaField("Text of the notice", validators=[
        InputRequired(message="Write the text readers will see."),
        Length(min=notices.TEXT_MIN, max=notices.TEXT_MAX,
               message=f"Between {notices.TEXT_MIN} and {notices.TEXT_MAX:,} characters (it has %(length)s).")],
        description="Shown on the article, in the corrections log, in the feeds and to the readers who reported it.")


class AmendForm(PublishForm):
    note = StringField("Why it changed (for the record)", validators=[Optional(), Length(max=500)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Reason for withdrawing", validators=[
        InputRequired(message="Give the reason; it is kept on record."), Length(max=REASON_MAX)])
