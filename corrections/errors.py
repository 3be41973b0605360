"""The one base class of every refusal: a change a domain rule declines, with the sentence shown to the person.

Domain functions raise a Refusal (or one of their own classes derived from it) and change nothing else; the
delivery side (corrections/transaction.py) rolls the change back and shows the sentence at the form field the
refusal names, or at the top of the page when it names none. Errors that are not answers to a person (a
database that does not answer, a receiver that is down, a bad setting) are not refusals.
"""


class Refusal(Exception):
    """A refused change. `str(refusal)` is the sentence shown to the person who tried it; `field` names the
    form field it belongs to, or is None when it belongs to the whole change. A subclass may set a default
    `field` for the refusals of its form."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field


class ManyRefusals(Refusal):
    """The refusals of one change that sets several things at once (a form with several rows), each shown at
    its own field."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(" ".join(str(refusal) for refusal in refusals))
        self.refusals = list(refusals)
