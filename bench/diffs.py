"""How long the revision pages' text diff takes on hostile revisions (issue 13, item 1).

    .venv/bin/python bench/diffs.py                      # 3,000 words / 60 changes and 10,000 / 500, 5 runs each
    .venv/bin/python bench/diffs.py --sizes 20000:1000   # other sizes: words:changes
    .venv/bin/python bench/diffs.py --before 300         # also difflib's SequenceMatcher (the diff before
                                                         # issue 13), each case stopped after 300 s

The revisions come from tests/hostile.py (hostile_revisions): `scattered` (ordinary writing in paragraphs
with the changes spread across it), `repeated` (six words only, so that no word is unique) and
`huge_paragraph` (the scattered text as one paragraph). The figure is the fastest of the runs (the machine's
noise only ever adds time); "level" says whether the text was compared word by word or, past the work budget,
paragraph by paragraph. The target: 10,000 words with 500 scattered changes, word by word, under 200 ms.
"""

import argparse
import multiprocessing
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corrections.articles import revisions  # noqa: E402
from tests.hostile import hostile_revisions  # noqa: E402


def before(old: str, new: str, answer) -> None:
    """The diff as it was: SequenceMatcher over the tokens, without autojunk."""
    started = time.perf_counter()
    SequenceMatcher(None, revisions.TOKEN.findall(old), revisions.TOKEN.findall(new), autojunk=False).get_opcodes()
    answer.put(time.perf_counter() - started)


def time_before(old: str, new: str, limit: float) -> str:
    answer = multiprocessing.Queue()
    child = multiprocessing.Process(target=before, args=(old, new, answer))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.terminate()
        child.join()
        return f"over {limit:.0f} s"
    return f"{answer.get():.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="3000:60,10000:500", help="words:changes, comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=float, metavar="SECONDS", help="also time the old diff, up to SECONDS")
    args = parser.parse_args()
    before_head, before_rule = (" before (difflib) |", "---:|") if args.before else ("", "")
    print(f"| words | changes | revisions | level | diff (fastest of {args.runs}) |{before_head}")
    print(f"|---:|---:|---|---|---:|{before_rule}")
    for size in args.sizes.split(","):
        words, changes = (int(part) for part in size.split(":"))
        for name, (old, new) in hostile_revisions(words, changes).items():
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                pieces, by_paragraph = revisions.text_diff(old, new)
                times.append(time.perf_counter() - started)
            assert "".join(p.text for p in pieces if p.op != "insert") == old
            assert "".join(p.text for p in pieces if p.op != "delete") == new
            level = "paragraphs" if by_paragraph else "words"
            row = f"| {words:,} | {changes:,} | {name} | {level} | {min(times) * 1000:.0f} ms |"
            if args.before:
                row += f" {time_before(old, new, args.before)} |"
            print(row, flush=True)


if __name__ == "__main__":
    main()
