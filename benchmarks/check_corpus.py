"""The blameless check on real documents: precision, recall, noise and speed.

    .venv/bin/python benchmarks/check_corpus.py [--local DIR] [--part dev|held-out|all]
                                                [--details] [--quick]

The corpus (``benchmarks/corpus``, sources and licences in its SOURCES.md) holds real,
public text no one on this project wrote: postmortems from blameless-culture
organisations and write-ups of mistakes from blogs and forums. Each document carries
the phrases a blameless guide would reframe (its labels), written before the check was
tuned, and belongs to the *dev* part (tuned against) or the *held-out* part (only its
totals are ever printed; tune with ``--part dev``). Documents whose licence allows it
are kept whole; of the others the repository keeps a sentence or two with their labels,
and ``--local DIR`` measures their whole text from a directory of ``<id>.md`` files.

Printed for each part:

* **precision** — flagged phrases that overlap a label, over all flags in write-ups;
* **recall** — labelled phrases in write-ups that some flag overlaps;
* **flags per 1,000 words** on blameless-culture postmortems kept whole, where a good
  check is nearly silent, and how many of them a CI lint would fail (exit 1: a warning);

warnings (blame, judgement, private detail) and notes (advice on the account's form)
are counted apart, then together. Speed: MB/s on ordinary prose, one 1 MB line, and the
slowest of a set of pathological 100,000-character inputs (long runs of ``-``, ``.``,
``@``, spaces, ...) with the ratio of its time at 4x the length, which stays near 4
when the check is linear. Targets: ≤ 0.5 flags per 1,000 words; precision and recall
≥ 0.8; any 100,000 characters in under 0.5 s; ≥ 1 MB/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.language.blameless import Flag, Severity, check  # noqa: E402

CORPUS = ROOT / "benchmarks" / "corpus"
PARTS = ("dev", "held-out")


@dataclass(frozen=True)
class Doc:
    """One text to check, with the labelled phrases a good check should flag."""

    id: str
    kind: str  # "blameless" or "writeup"
    part: str
    text: str
    labels: tuple[str, ...]
    whole: bool  # False when only quoted sentences are at hand


@dataclass
class Tally:
    """Counts for one part of the corpus and one choice of severities."""

    flags: int = 0
    hits: int = 0
    labels: int = 0
    found: int = 0
    blameless_flags: int = 0
    blameless_words: int = 0
    blameless_docs: int = 0
    failing_docs: int = 0
    misses: list[str] = field(default_factory=list)
    false_flags: list[str] = field(default_factory=list)

    def line(self) -> str:
        precision = self.hits / self.flags if self.flags else 1.0
        recall = self.found / self.labels if self.labels else 1.0
        per_k = 1000 * self.blameless_flags / self.blameless_words if self.blameless_words else 0
        return (
            f"precision={precision:.2f} ({self.hits}/{self.flags})  "
            f"recall={recall:.2f} ({self.found}/{self.labels})  "
            f"blameless: {per_k:.2f} flags/1k words ({self.blameless_flags} in "
            f"{self.blameless_words} words), {self.failing_docs}/{self.blameless_docs} docs exit 1"
        )


def load(local: Path | None) -> list[Doc]:
    """The corpus as documents: whole texts where kept (or given locally), else quotes."""
    docs = []
    for row in json.loads((CORPUS / "labels.json").read_text(encoding="utf-8")):
        base = dict(id=row["id"], kind=row["kind"], part=row["part"])
        local_file = local / f"{row['id']}.md" if local else None
        if "file" in row:
            text = (CORPUS / row["file"]).read_text(encoding="utf-8")
            docs.append(Doc(**base, text=text, labels=tuple(row["labels"]), whole=True))
        elif local_file and local_file.is_file():
            text = local_file.read_text(encoding="utf-8")
            docs.append(Doc(**base, text=text, labels=tuple(row["labels"]), whole=True))
        else:
            for n, quote in enumerate(row["quotes"]):
                docs.append(
                    Doc(
                        **{**base, "id": f"{row['id']}#q{n + 1}"},
                        text=quote["text"],
                        labels=tuple(quote["labels"]),
                        whole=False,
                    )
                )
    return docs


def label_spans(doc: Doc) -> list[tuple[int, int, str]]:
    """Every occurrence of every labelled phrase in the document."""
    spans = []
    for label in doc.labels:
        start = doc.text.find(label)
        while start != -1:
            spans.append((start, start + len(label), label))
            start = doc.text.find(label, start + 1)
    return spans


def overlaps(flag: Flag, start: int, end: int) -> bool:
    return flag.start < end and start < flag.end


def score(docs: Iterable[Doc], keep: Callable[[Flag], bool]) -> Tally:
    """Precision and recall on write-ups, noise on blameless postmortems."""
    tally = Tally()
    for doc in docs:
        flags = [flag for flag in check(doc.text) if keep(flag)]
        spans = label_spans(doc)
        if doc.kind == "blameless" and doc.whole:  # noise needs the whole text's words
            tally.blameless_flags += len(flags)
            tally.blameless_words += len(doc.text.split())
            tally.blameless_docs += 1
            tally.failing_docs += any(f.severity == Severity.WARNING for f in flags)
        else:
            for flag in flags:
                hit = any(overlaps(flag, start, end) for start, end, _ in spans)
                tally.flags += 1
                tally.hits += hit
                if not hit:
                    tally.false_flags.append(f"{doc.id}: {flag.rule} «{flag.phrase}»")
            for start, end, label in spans:
                tally.labels += 1
                if any(overlaps(flag, start, end) for flag in flags):
                    tally.found += 1
                else:
                    tally.misses.append(f"{doc.id}: «{label}»")
        if doc.kind == "blameless":
            for flag in flags:
                if not any(overlaps(flag, start, end) for start, end, _ in spans):
                    tally.false_flags.append(f"{doc.id}: {flag.rule} «{flag.phrase}»")
    return tally


def print_quality(docs: list[Doc], parts: tuple[str, ...], details: bool) -> None:
    """The chosen parts, warnings then all flags; details (dev part only) when asked."""
    choices: dict[str, Callable[[Flag], bool]] = {
        "warnings": lambda flag: flag.severity == Severity.WARNING,
        "all flags": lambda flag: True,
    }
    for part in parts:
        in_part = [doc for doc in docs if doc.part == part]
        whole = sum(doc.whole for doc in in_part)
        words = sum(len(doc.text.split()) for doc in in_part)
        print(
            f"{part}: {len({d.id.split('#')[0] for d in in_part})} documents "
            f"({whole} whole, the rest as quotes), {words} words"
        )
        for name, keep in choices.items():
            tally = score(in_part, keep)
            print(f"  {name:<9} {tally.line()}")
            if details and part == "dev" and name == "all flags":
                for line in tally.false_flags:
                    print(f"    not a label: {line}")
                for line in tally.misses:
                    print(f"    missed: {line}")


def timed(text: str, rounds: int = 3) -> float:
    """Best wall time of a few runs of the check on one text."""
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        check(text)
        best = min(best, time.perf_counter() - began)
    return best


def pathological(size: int) -> dict[str, str]:
    """Inputs that make backtracking patterns slow: long runs without a way out."""
    shapes = {
        "a-a-a…": "a-",
        "-----": "-",
        ".....": ".",
        "a.a.a…": "a.",
        "@@@@@": "@",
        "a@a@a…": "a@",
        "spaces": " ",
        "a a a…": "a ",
        "newlines": "\n",
        "a-a team…": "a-a team ",
        "1 1 1…": "1 ",
        "+1 +1…": "+1 ",
        "<@U<@U…": "<@U",
        "`[](…": "`[](",
        "> > >…": "> ",
        "should should…": "should ",
        "one word": "x",
        "Aa Aa…": "Aa ",
    }
    return {name: (unit * (size // len(unit) + 1))[:size] for name, unit in shapes.items()}


def print_speed(docs: list[Doc], quick: bool) -> None:
    """Throughput on prose, one long line, and the worst pathological input."""
    prose = "\n\n".join(doc.text for doc in docs if doc.whole)
    target = 100_000 if quick else 1_000_000
    body = (prose * (target // len(prose) + 1))[:target]
    seconds = timed(body)
    megabytes = len(body.encode()) / 1e6
    print(f"speed: {megabytes / seconds:.2f} MB/s on ordinary prose ({megabytes:.2f} MB)")
    line = body.replace("\n", " ")
    print(f"speed: one {megabytes:.2f} MB line in {timed(line, 1):.3f} s")
    size = 10_000 if quick else 100_000
    times = {name: timed(text, 1) for name, text in pathological(size).items()}
    worst = max(times, key=lambda name: times[name])
    longer = pathological(size * 4)[worst]
    ratio = timed(longer, 1) / times[worst] if times[worst] else 0.0
    print(
        f"speed: worst of {len(times)} pathological {size}-character inputs: "
        f"{times[worst]:.3f} s ({worst}); at 4x the length {ratio:.1f}x the time"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--local", type=Path, help="whole texts of documents kept as quotes")
    parser.add_argument(
        "--part", choices=(*PARTS, "all"), default="all", help="which part to score (default all)"
    )
    parser.add_argument("--details", action="store_true", help="list flags and misses (dev)")
    parser.add_argument("--quick", action="store_true", help="small speed inputs (smoke runs)")
    args = parser.parse_args()
    docs = load(args.local)
    parts = PARTS if args.part == "all" else (args.part,)
    print_quality(docs, parts, args.details)
    print_speed(docs, args.quick)


if __name__ == "__main__":
    main()
