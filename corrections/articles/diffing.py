"""Comparing two sequences of tokens in bounded time: patience anchors, then small diffs between them.

difflib's SequenceMatcher looks for the longest common run at every step, and a token as common as a space
sends it over the whole text each time: a long article with changes scattered across it took many seconds.
Here the texts are first cut at the tokens that occur exactly once in each (patience diff: names, numbers,
rarer words, kept in the order both texts share); what lies between two such anchors is small in ordinary
writing and is compared with SequenceMatcher (which places changes the way readers expect) or, when larger,
with Myers' O(ND) algorithm. Every step is charged to a `Budget`; past it, `TooCostly` is raised and the
caller compares coarser units instead (the revision pages fall back to paragraphs and say so).
"""

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

# Ranges at most this large (tokens of one side times tokens of the other) go to SequenceMatcher.
SMALL = 900
# Work units (about one token compared) a comparison may spend: under a second of CPU for the most hostile
# texts; 10,000 words with 500 scattered changes spend about 180,000 (bench/diffs.py).
DEFAULT_BUDGET = 500_000

Opcode = tuple[str, int, int, int, int]  # as SequenceMatcher.get_opcodes: tag, a from, a to, b from, b to


class TooCostly(Exception):
    """The comparison would take more work than its budget allows."""


class Budget:
    def __init__(self, units: int | None = None):
        self.left = DEFAULT_BUDGET if units is None else units

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise TooCostly


def opcodes(a: Sequence, b: Sequence, budget: Budget | None = None) -> list[Opcode]:
    """How to turn `a` into `b`: runs tagged "equal", "delete", "insert" or "replace", in order, adjacent runs
    merged (as SequenceMatcher.get_opcodes gives them). Raises TooCostly past the budget."""
    budget = budget or Budget()
    steps: list[Opcode] = []
    # Ranges still to compare and equal runs still to emit, the next one on top: each range's result comes
    # out in order.
    todo: list[tuple[str, int, int, int, int]] = [("compare", 0, len(a), 0, len(b))]
    while todo:
        task, alo, ahi, blo, bhi = todo.pop()
        if task == "equal":
            steps.append((task, alo, ahi, blo, bhi))
            continue
        budget.spend(ahi - alo + bhi - blo)
        if a[alo:ahi] == b[blo:bhi]:  # most stretches between anchors, in an ordinary edit
            steps.append(("equal", alo, ahi, blo, bhi))
        elif alo == ahi or blo == bhi:
            steps.append(("replace", alo, ahi, blo, bhi))
        elif (ahi - alo) * (bhi - blo) <= SMALL:
            budget.spend((ahi - alo) * (bhi - blo))
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            steps.extend((tag, alo + i1, alo + i2, blo + j1, blo + j2)
                         for tag, i1, i2, j1, j2 in matcher.get_opcodes())
        elif anchors := unique_anchors(a, b, alo, ahi, blo, bhi):
            # Between anchors, then each anchor itself: pushed last first.
            ends = [*anchors, (ahi, bhi)]
            for (i, j), (next_i, next_j) in reversed(list(zip([(alo - 1, blo - 1), *anchors], ends, strict=True))):
                if next_i < ahi:
                    todo.append(("equal", next_i, next_i + 1, next_j, next_j + 1))
                todo.append(("compare", i + 1, next_i, j + 1, next_j))
        else:
            steps.extend(myers(a, b, alo, ahi, blo, bhi, budget))
    return merged(steps)


def unique_anchors(a: Sequence, b: Sequence, alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """Positions (i, j) of tokens found exactly once in a[alo:ahi] and once in b[blo:bhi], the longest chain of
    them in the same order in both."""
    in_a, in_b = Counter(a[alo:ahi]), Counter(b[blo:bhi])
    where_in_b = {b[j]: j for j in range(blo, bhi) if in_b[b[j]] == 1 and in_a.get(b[j]) == 1}
    pairs = [(i, where_in_b[a[i]]) for i in range(alo, ahi) if a[i] in where_in_b]
    # Longest increasing run of j (patience sorting): tails[n] ends the best chain of length n + 1 found so far.
    tails: list[int] = []
    tail_js: list[int] = []
    before: list[int] = []
    for index, (_, j) in enumerate(pairs):
        place = bisect_left(tail_js, j)
        before.append(tails[place - 1] if place else -1)
        if place == len(tails):
            tails.append(index)
            tail_js.append(j)
        else:
            tails[place], tail_js[place] = index, j
    chain = []
    index = tails[-1] if tails else -1
    while index >= 0:
        chain.append(pairs[index])
        index = before[index]
    return chain[::-1]


def myers(a: Sequence, b: Sequence, alo: int, ahi: int, blo: int, bhi: int, budget: Budget) -> list[Opcode]:
    """A shortest edit script for a[alo:ahi] → b[blo:bhi] (Myers 1986, the greedy O(ND) form)."""
    n, m = ahi - alo, bhi - blo
    furthest = {1: 0}  # diagonal k = x - y → the furthest x reached on it
    trace = []
    for d in range(n + m + 1):
        # Each step here costs about twice what a step elsewhere does (bench/diffs.py): charged double.
        budget.spend(2 * (2 * d + 1))
        trace.append(furthest.copy())
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and furthest[k - 1] < furthest[k + 1]):
                x = furthest[k + 1]
            else:
                x = furthest[k - 1] + 1
            y, start = x - k, x
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x, y = x + 1, y + 1
            budget.spend(2 * (x - start))
            furthest[k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m, alo, blo)
    raise AssertionError("unreachable: n + m edits always suffice")


def _backtrack(trace: list[dict[int, int]], x: int, y: int, alo: int, blo: int) -> list[Opcode]:
    steps: list[Opcode] = []
    for d in range(len(trace) - 1, -1, -1):
        furthest, k = trace[d], x - y
        if d == 0:
            previous_x = previous_y = 0
        else:
            previous_k = k + 1 if k == -d or (k != d and furthest[k - 1] < furthest[k + 1]) else k - 1
            previous_x = furthest[previous_k]
            previous_y = previous_x - previous_k
        while x > previous_x and y > previous_y:
            x, y = x - 1, y - 1
            steps.append(("equal", alo + x, alo + x + 1, blo + y, blo + y + 1))
        if d > 0:
            if x == previous_x:
                steps.append(("insert", alo + x, alo + x, blo + y - 1, blo + y))
            else:
                steps.append(("delete", alo + x - 1, alo + x, blo + y, blo + y))
            x, y = previous_x, previous_y
    return steps[::-1]


def merged(steps: list[Opcode]) -> list[Opcode]:
    """Adjacent steps joined: equal runs into one, changes between two equal runs into one delete, insert or
    replace."""
    result: list[Opcode] = []
    for tag, i1, i2, j1, j2 in steps:
        if i1 == i2 and j1 == j2:
            continue
        changed = tag != "equal"
        if result and (result[-1][0] != "equal") == changed:
            _, first_i, _, first_j, _ = result.pop()
            i1, j1 = first_i, first_j
        if changed:
            tag = "replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert"
        result.append((tag, i1, i2, j1, j2))
    return result
