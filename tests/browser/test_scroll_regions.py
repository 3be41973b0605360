"""Tables wider than a phone scroll inside their box: a keyboard user must be able to reach and scroll it."""

import re

import pytest

from tests.helpers import file_report, make_article

# The markup of the table boxes does not depend on the database the rows come from.
pytestmark = pytest.mark.databases("sqlite")

PAGES = ["/transparency", "/editor/metrics", "/editor/admin/editors", "/editor/admin/outbox",
         "/editor/admin/clocks"]


@pytest.mark.parametrize("url", PAGES)
def test_every_scrolling_table_box_is_focusable_and_named(admin_client, url):
    file_report(make_article(), email="reader@example.org", notify=True)  # something in the tables and outbox

    page = admin_client.get(url).get_data(as_text=True)
    boxes = re.findall(r'<div class="metrics-scroll"[^>]*>', page)

    assert boxes, f"{url} shows no scrolling table"
    for box in boxes:
        assert 'tabindex="0"' in box and 'role="region"' in box and re.search(r'aria-label="[^"]+"', box), box
