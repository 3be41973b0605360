"""The organisation's published policies, which its schema.org JSON-LD links to.

Each is a URL an admin sets (the policy lives on the publisher's own site) or text an admin writes,
which the app serves at /policies/<slug>. When both are set, the URL is the one linked.
"""

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from corrections.articles.content import sanitise_body
from corrections.errors import ManyRefusals, Refusal
from corrections.extensions import db
from corrections.languages import number
from corrections.models import Editor, Policy, utcnow
from corrections.text import clean_text, is_http_url

URL_MAX = 2000
TEXT_MAX = 50_000


@dataclass(frozen=True)
class Kind:
    key: str
    slug: str
    title: str  # lazy translations, as the page showing them speaks
    # The schema.org property of NewsMediaOrganization that links to it.
    property: str
    hint: str


POLICIES = (
    Kind("publishing_principles", "publishing-principles", _l("Publishing principles"), "publishingPrinciples",
         _l("The standards the newsroom works by: accuracy, fairness, sources, independence.")),
    Kind("corrections", "corrections", _l("Corrections policy"), "correctionsPolicy",
         _l("How errors are corrected and how corrections are shown.")),
    Kind("feedback", "feedback", _l("Reader feedback policy"), "actionableFeedbackPolicy",
         _l("How readers can report errors and what happens to their reports.")),
)
BY_KEY = {kind.key: kind for kind in POLICIES}
BY_SLUG = {kind.slug: kind for kind in POLICIES}


class PolicyError(Refusal):
    """A refused policy setting; `field` names the form field the message belongs to."""


def stored() -> dict[str, Policy]:
    """The policies set so far, by key (one query)."""
    return {p.key: p for p in db.session.scalars(select(Policy))}


def save(key: str, url: str, text: str, *, by: Editor) -> Policy | None:
    """Set one policy's URL and text (either may be empty; both empty: nothing is linked). Does not commit.

    Rows are emptied, never deleted: the public page cache sees a change in their newest updated_at.
    """
    kind = BY_KEY[key]
    url = url.strip()
    text = clean_text(text).strip()
    if url and (len(url) > URL_MAX or not is_http_url(url)):
        # Translators: %(policy)s is the policy's name ("Corrections policy").
        raise PolicyError(gettext("%(policy)s: use an http:// or https:// address under %(most)s characters, or leave "
                                  "it empty.", policy=kind.title, most=number(URL_MAX)), f"{key}_url")
    if len(text) > TEXT_MAX:
        raise PolicyError(gettext("%(policy)s: please keep the text under %(most)s characters (it has %(length)s).",
                                  policy=kind.title, most=number(TEXT_MAX), length=number(len(text))),
                          f"{key}_text")
    policy = db.session.get(Policy, key)
    if policy is None and not url and not text:
        return None
    if policy is None:
        policy = Policy(key=key)
        db.session.add(policy)
    if (policy.url, policy.text) != (url, text):
        policy.url, policy.text, policy.html = url, text, sanitise_body(text) if text else ""
        policy.updated_at = utcnow()
        policy.updated_by = by.name
    return policy


def save_all(wanted: dict[str, tuple[str, str]], *, by: Editor) -> None:
    """Set several policies at once (key -> URL and text); a refusal of any refuses them all, with each
    refusal at its own field."""
    refused = []
    for key, (url, text) in wanted.items():
        try:
            save(key, url, text, by=by)
        except PolicyError as refusal:
            refused.append(refusal)
    if refused:
        raise ManyRefusals(refused)


def link(kind: Kind, policy: Policy | None) -> str | None:
    """Where the policy is read: its URL, else the app's page of its text, else nowhere."""
    if policy is None:
        return None
    if policy.url:
        return policy.url
    if policy.html:
        return url_for("public.policy", name=kind.slug, _external=True)
    return None


def links() -> list[tuple[Kind, str]]:
    """Every policy that is set, with where it is read (for pages that list them)."""
    found = stored()
    return [(kind, href) for kind in POLICIES if (href := link(kind, found.get(kind.key)))]


def organisation_json_ld(site_name: str) -> dict:
    """schema.org NewsMediaOrganization for the home page, with the policies that are set."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsMediaOrganization",
        "name": site_name,
        "url": url_for("public.index", _external=True),
    }
    for kind, href in links():
        data[kind.property] = href
    return data
