"""Forms of the dashboard. Each action form carries the report version the editor saw."""

from flask_babel import lazy_gettext, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, Optional

from corrections.access import accounts
from corrections.articles import unannounced
from corrections.languages import N_, FieldMessage
from corrections.repeats import decisions as repeat_decisions
from corrections.reports import canned_answers, clocks, desks
from corrections.reports.outcomes import REJECT_REASONS
from corrections.text import parse_id, parse_ids
from corrections.triage import saved_views
from corrections.vocabulary import (
    BODY_MAX,
    NOTICE_KINDS,
    NOTICE_TEXT_MAX,
    NOTICE_TEXT_MIN,
    REPEAT_REASON_MAX,
    REPLACEMENT_MAX,
    RIGHT_TEXT_MAX,
    TITLE_MAX,
    WRONG_TEXT_MAX,
)

OTHER = "other"
# A canned reason's value is its English words, its label the page's language. The reason given (chosen_reason) keeps
# the English words: it is worded when read (outcomes.given_reason), the reader's in the language of their report.
REASON_CHOICES = [SelectChoice(reason, _l(reason)) for reason in REJECT_REASONS] + [
    SelectChoice(OTHER, _l("Another reason (write it below)"))
]
REASON_MAX = 2000
NOTE_MAX = 5000


class VersionedForm(FlaskForm):
    version = HiddenField()

    def seen_version(self) -> int | None:
        return parse_id(self.version.data)


class MoveForm(VersionedForm):
    to = HiddenField(validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=REASON_MAX)])


class ReasonFields:
    """The canned reasons plus free text, shared by the report page and bulk actions."""

    reason = RadioField(_l("Reason given to the reader"), choices=REASON_CHOICES, validate_choice=False)
    reason_text = TextAreaField(_l("Your own words"), validators=[Optional(), Length(max=REASON_MAX)])

    def chosen_reason(self) -> str:
        if self.reason.data and self.reason.data != OTHER and self.reason.data in REJECT_REASONS:
            extra = (self.reason_text.data or "").strip()
            return f"{self.reason.data} {extra}".strip()
        return (self.reason_text.data or "").strip()


class RejectForm(VersionedForm, ReasonFields):
    pass


class AssignForm(VersionedForm):
    assignee = SelectField(_l("Assign to"), coerce=str, validate_choice=False)


class DuplicateForm(VersionedForm):
    original = StringField(_l("Duplicate of (reference)"), validators=[
        InputRequired(message=_l("Give the reference of the original report, e.g. R-7F3KQ2.")), Length(max=20)])


class NoteForm(VersionedForm):
    # An id of its own: the report page's publish form has a `text` field too, and a shared id would tie the
    # "Internal note" label to the public notice's box.
    text = TextAreaField(_l("Internal note"), id="note-text",
                         validators=[InputRequired(message=_l("The note is empty.")), Length(max=NOTE_MAX)])


class BulkForm(FlaskForm, ReasonFields):
    action = SelectField(_l("With the selected reports"), coerce=str, validate_choice=False)
    assignee = SelectField(_l("Editor"), coerce=str, validate_choice=False)
    original = StringField(_l("Original (reference)"), validators=[Optional(), Length(max=20)])
    canned_answer = SelectField(_l("Canned answer"), name="answer", coerce=str, validate_choice=False)
    back = HiddenField()


PASSWORD_LENGTH = lazy_ngettext("At least %(num)s character.", "At least %(num)s characters.", accounts.PASSWORD_MIN)


class NewEditorForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(message=_l("Enter an e-mail address.")),
                                                 Length(max=320)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=accounts.NAME_MAX)])
    password = PasswordField(_l("Password"), validators=[InputRequired(message=_l("Choose a password.")),
                                                         Length(max=accounts.PASSWORD_MAX)],
                             description=PASSWORD_LENGTH)
    is_admin = BooleanField(_l("Admin (can manage editors)"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        InputRequired(message=_l("Enter your current password.")), Length(max=accounts.PASSWORD_MAX)])
    password = PasswordField(_l("New password"), validators=[InputRequired(message=_l("Choose a new password.")),
                                                             Length(max=accounts.PASSWORD_MAX)],
                             description=PASSWORD_LENGTH)
    repeat = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(message=_l("Type the new password again.")),
        EqualTo("password", message=_l("The two new passwords differ: type the same one twice."))])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language of the dashboard"), coerce=str, validate_choice=False)


KIND_CHOICES = [SelectChoice(value, label) for value, label in NOTICE_KINDS.items()]


class PublishForm(FlaskForm):
    kind = RadioField(_l("Kind of notice"), choices=KIND_CHOICES, default="correction", validate_choice=False)
    text = TextAreaField(_l("Text of the notice"), validators=[
        InputRequired(message=_l("Write the text readers will see.")),
        Length(min=NOTICE_TEXT_MIN, max=NOTICE_TEXT_MAX,
               message=FieldMessage(N_("Between %(least)s and %(most)s characters (it has %(length)s)."),
                                    least=NOTICE_TEXT_MIN, most=NOTICE_TEXT_MAX))],
        description=_l("Shown on the article, in the corrections log, in the feeds and to the readers who reported "
                       "it."))
    wrong_text = TextAreaField(_l("What was wrong"), validators=[
        Optional(),
        Length(max=WRONG_TEXT_MAX, message=FieldMessage(N_("At most %(most)s characters (it has %(length)s)."),
                                                        most=WRONG_TEXT_MAX))],
        description=_l("The wrong words exactly as the article had them, capitals and punctuation included: the "
                       "same error is looked for in other articles. Leave it empty when no words were wrong."))
    right_text = TextAreaField(_l("What is right"), validators=[
        Optional(),
        Length(max=RIGHT_TEXT_MAX, message=FieldMessage(N_("At most %(most)s characters (it has %(length)s)."),
                                                        most=RIGHT_TEXT_MAX))],
        description=_l("The words that replaced them, if any."))


def replacement_field(label, description) -> TextAreaField:
    """The words that replace a passage of an article's text (a fix from a report, the same fix on another article)."""
    return TextAreaField(label, validators=[
        Optional(),
        Length(max=REPLACEMENT_MAX, message=FieldMessage(N_("At most %(most)s characters (it has %(length)s)."),
                                                         most=REPLACEMENT_MAX))],
        description=description)


class ReportPublishForm(PublishForm):
    """Publishing from a report's page, which can correct the reported passage in the article in the same step;
    `revision` is the article's revision the editor's preview of that change was made from."""

    fix = BooleanField(_l("Also correct the article: replace the marked passage"))
    replacement = replacement_field(
        _l("Replace the passage with"),
        _l("Used when the box above is ticked. Plain words; the formatting around the passage stays as it is. You "
           "see the change to the article before anything is published."))
    revision = HiddenField()


class LinkGroupForm(FlaskForm):
    """The next step of linking a big group to a notice published from one of its reports: the notice, and the newest
    report of the group the editor's page showed."""

    notice = HiddenField(validators=[InputRequired()])
    upto = HiddenField(validators=[InputRequired()])


class AmendForm(PublishForm):
    note = StringField(_l("Why it changed (for the record)"), validators=[Optional(), Length(max=500)])


class EditArticleForm(FlaskForm):
    """A new title and body for an article; `revision` is the revision the editor started from."""

    revision = HiddenField()
    title = StringField(_l("Headline"), validators=[
        InputRequired(message=_l("The article needs a headline.")), Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Text"), validators=[
        InputRequired(message=_l("The article needs its text.")), Length(max=BODY_MAX)],
        description=_l("Paragraphs separated by a blank line, or simple HTML (it is cleaned as on import). "
                       "Every change is kept as a revision; readers can see what changed."))


class NoNoticeForm(FlaskForm):
    """Why an unannounced change needs no notice: a canned reason or the editor's own words."""

    reason = RadioField(_l("Why no notice is needed"), choices=[
        SelectChoice(reason, _l(reason)) for reason in unannounced.NO_NOTICE_REASONS
    ] + [SelectChoice(OTHER, _l("Another reason (write it below)"))], validate_choice=False)
    reason_text = TextAreaField(_l("Your own words"), validators=[Optional(), Length(max=unannounced.REASON_MAX)])

    def chosen_reason(self) -> str:
        extra = (self.reason_text.data or "").strip()
        if self.reason.data in unannounced.NO_NOTICE_REASONS:
            # Kept in the catalog's words, shown in each reader's language (unannounced.answer_reason).
            return f"{self.reason.data} {extra}".strip()
        return extra


class ConfirmRepeatForm(FlaskForm):
    """The same correction on another article: the notice, the words that replace the matched ones (none: the
    notice alone) and the article's revision the page showed."""

    kind = RadioField(_l("Kind of notice"), choices=KIND_CHOICES, default="correction", validate_choice=False)
    text = PublishForm.text
    replacement = replacement_field(
        _l("Replace the marked words with"),
        _l("Plain words; the formatting around them stays as it is. Leave it empty to publish the notice without "
           "changing the article’s text."))
    revision = HiddenField()


class DismissRepeatForm(FlaskForm):
    """Why an item of "same error elsewhere" is not an error to correct: a reason from the list or the editor's
    own words."""

    reason = RadioField(_l("Why it is not the same error"), choices=[
        SelectChoice(reason, _l(reason)) for reason in repeat_decisions.DISMISS_REASONS
    ] + [SelectChoice(OTHER, _l("Another reason (write it below)"))], validate_choice=False)
    reason_text = TextAreaField(_l("Your own words"), validators=[Optional(), Length(max=REPEAT_REASON_MAX)])

    def chosen_reason(self) -> str:
        extra = (self.reason_text.data or "").strip()
        if self.reason.data in repeat_decisions.DISMISS_REASONS:
            # Kept in the catalog's words, shown in each page's language (decisions.reason_words).
            return f"{self.reason.data} {extra}".strip()
        return extra


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawing"), validators=[
        InputRequired(message=_l("Give the reason; it is kept on record.")), Length(max=REASON_MAX)])


class ApplyCannedAnswerForm(VersionedForm):
    canned_answer = SelectField(_l("Canned answer"), name="answer", coerce=str, validate_choice=False,
                                validators=[InputRequired(message=_l("Choose a canned answer."))])


class CannedAnswerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(message=_l("Give the answer a name.")),
                                               Length(max=canned_answers.NAME_MAX)],
                       description=_l("What editors pick from the list, e.g. “Opinion, not fact”."))
    to_state = RadioField(_l("What it does"), choices=[SelectChoice(k, v) for k, v in canned_answers.STATES.items()],
                          default="rejected", validate_choice=False)
    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=canned_answers.TEXT_MAX)],
                         description=_l("For a rejection, the reason the reader is given (and e-mailed when they "
                                        "asked); otherwise the comment kept in the report's history."))
    notice_template = TextAreaField(
        _l("Correction template"), name="correction_template", validators=[Optional(), Length(max=NOTICE_TEXT_MAX)],
        # Translators: {passage}, {suggestion} and {article} are typed by admins into templates: keep them as they are.
        description=_l("Only for an answer that accepts: a first draft of the correction, put in the report page's "
                       "publish form. {passage}, {suggestion} and {article} are replaced by the report's words."))


class DeskForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(message=_l("Give the desk a name.")),
                                               Length(max=desks.NAME_MAX)])
    members = SelectMultipleField(_l("Members"), coerce=str, validate_choice=False)

    def member_ids(self) -> list[int]:
        return parse_ids(self.members.data or [])


class RouteForm(FlaskForm):
    section = StringField(_l("Section"), validators=[InputRequired(message=_l("Name the section.")),
                                                     Length(max=desks.SECTION_MAX)])
    desk = SelectField(_l("Desk"), coerce=str, validate_choice=False)


TARGET_LENGTH = Length(max=clocks.TYPED_MAX, message=FieldMessage(
    N_("At most %(most)s characters (it has %(length)s)."), most=clocks.TYPED_MAX))


def clock_form(categories: dict[str, str], **kwargs):
    """The targets form: a first-action and a resolution field for the default and for each category."""

    class ClockForm(FlaskForm):
        pass

    for key in ("", *categories):
        label = clocks.DEFAULT_LABEL if not key else categories[key]
        # Translators: the hidden label of a target's box; %(category)s is a category's name.
        setattr(ClockForm, f"first_{key or 'default'}", StringField(
            lazy_gettext("%(category)s: first action", category=label), validators=[TARGET_LENGTH]))
        setattr(ClockForm, f"resolution_{key or 'default'}", StringField(
            lazy_gettext("%(category)s: resolution", category=label), validators=[TARGET_LENGTH]))
    return ClockForm(**kwargs)


class SaveViewForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        InputRequired(message=_l("Give the view a name.")), Length(max=saved_views.NAME_MAX)])
    shared = BooleanField(_l("Share with every editor"))
    query = HiddenField(validators=[Length(max=saved_views.QUERY_MAX)])


class ChangeViewForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        InputRequired(message=_l("Give the view a name.")), Length(max=saved_views.NAME_MAX)])
    shared = BooleanField(_l("Shared with every editor"))
