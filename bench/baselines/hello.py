"""Baseline: the least a Flask app served by waitress can do, a static page of 5 KB for any path."""

from flask import Flask

PARAGRAPH = ("<p>The council approved the new budget on Tuesday by 31 votes to 12. The mayor said the extra "
             "money would go to road repairs, and work starts in March.</p>\n")
HEAD = "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>Hello</title></head><body>\n<h1>Hello</h1>\n"
TAIL = "</body></html>\n"
PAGE = HEAD + PARAGRAPH * ((5 * 1024 - len(HEAD) - len(TAIL)) // len(PARAGRAPH) + 1) + TAIL

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def hello(path: str):
    return PAGE
