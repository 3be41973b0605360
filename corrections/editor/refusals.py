"""What the admin pages share: a change refused at the form field it concerns, and a list's Delete button."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, url_for
from flask_wtf import FlaskForm

from corrections.extensions import db

Result = TypeVar("Result")


def attempt(form: FlaskForm, refusal: type[ValueError], change: Callable[[], Result]) -> Result | None:
    """Make a domain change from a valid form. A refusal (an error naming the `field` it concerns) is put
    at that field, and nothing of the change is kept. The change's result; None if the form or the change
    was refused."""
    if not form.validate_on_submit():
        return None
    try:
        return change()
    except refusal as error:
        db.session.rollback()
        form[error.field].errors.append(str(error))
        return None


def delete_then_list(found: Any, delete: Callable[[Any], None], *, gone: str, done: str, to: str):
    """A list's Delete button: delete the row (which has a `name`) if it is still there, say what
    happened (`done` may name it as {name}), and go back to the list at endpoint `to`."""
    if found is None:
        flash(gone, "error")
    else:
        name = found.name
        delete(found)
        flash(done.format(name=name), "success")
    return redirect(url_for(to))
