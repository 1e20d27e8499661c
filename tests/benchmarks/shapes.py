"""The post shapes every side of `make bench` seeds (Dispatch and its peers alike): N
approved comments, 30% top-level, replies nested up to 3 deep below it, bodies of 200–600
characters, from one seed — so the pages compared carry the same conversation.

`python -m tests.benchmarks.shapes 1000` prints them as JSON lines for the peers'
set-up scripts (tests/benchmarks/peers/): {"i", "parent", "name", "email", "body"}, where
`parent` is the index of the comment answered (or null) and always smaller than `i`."""

import json
import random
import sys
from dataclasses import asdict, dataclass

SEED = 14
TOP_LEVEL_SHARE = 0.3
MAX_DEPTH = 4  # a top-level comment (depth 1) and replies three levels below it
WORDS = ["water", "river", "bridge", "quay", "street", "morning", "council", "road", "market", "rain", "lock",
         "volunteers", "sandbags", "school", "bus", "station", "night", "flood", "level", "neighbours", "fire",
         "service", "update", "photo", "footpath", "mill"]


@dataclass(frozen=True)
class ShapedComment:
    i: int
    parent: int | None
    name: str
    email: str
    body: str


def _body(rng: random.Random) -> str:
    target = rng.randint(200, 600)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(WORDS))
    return (" ".join(words)[:target - 1].rstrip() + ".").capitalize()


def comments(count: int, *, seed: int = SEED) -> list[ShapedComment]:
    """`count` comments in creation order: a parent always comes before its replies."""
    rng = random.Random(seed)
    depth: list[int] = []
    out: list[ShapedComment] = []
    for i in range(count):
        parent = None
        if i and rng.random() >= TOP_LEVEL_SHARE:
            candidates = [j for j in range(max(0, i - 50), i) if depth[j] < MAX_DEPTH]
            parent = rng.choice(candidates) if candidates else None
        depth.append(1 if parent is None else depth[parent] + 1)
        reader = rng.randrange(200)
        out.append(ShapedComment(i, parent, f"Reader {reader}", f"reader{reader}@example.com", _body(rng)))
    return out


if __name__ == "__main__":
    for c in comments(int(sys.argv[1]) if len(sys.argv) > 1 else 1000):
        print(json.dumps(asdict(c)))
