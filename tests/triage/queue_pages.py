"""Reading the queue's pages as a browser would: their rows' references and the pager's links."""

import html
import re


def page_of(client, url: str = "/editor/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def references(page: str) -> list[str]:
    """The lead reference of each row, in order."""
    return re.findall(r'class="reference">(R-[0-9A-Z]{6})<', page)


def links(page: str) -> dict[str, str]:
    """The pager's links by rel (prev, next), as the browser would follow them."""
    return {rel: html.unescape(href) for rel, href in re.findall(r'<a rel="(prev|next)" href="([^"]*)"', page)}


def walk(client, url: str, rel: str = "next") -> list[list[str]]:
    """The lead references of every page from `url` on, following the pager's `rel` links."""
    return _walked(client, url, rel)[0]


def walk_both_ways(client, url: str) -> tuple[list[list[str]], list[list[str]]]:
    """Every page from `url` on by the "next" links, then back from the last one by the "previous" links: the
    lead references of each page of each way, in the order visited (the last page is read once)."""
    forward, last = _walked(client, url, "next")
    back = links(last).get("prev")
    return forward, [forward[-1], *(walk(client, back, "prev") if back else [])]


def _walked(client, url: str, rel: str) -> tuple[list[list[str]], str]:
    pages, page = [], ""
    while url:
        page = page_of(client, url)
        pages.append(references(page))
        url = links(page).get(rel)
        assert len(pages) < 100, "the pager goes round in circles"
    return pages, page
