"""The intent signals are compiled with the word boundary their alternatives start with taken out in front
(`nlu.word_start_factored`), which halves their time per message: they must match exactly the messages the
patterns as written match."""

from __future__ import annotations

import json
import re

import pytest

from niaga.agent import nlu
from niaga.kit.lang import normalize
from tests.agent.heldout import DATA


def test_branches_split_at_the_outermost_bar_only() -> None:
    assert nlu._top_level_branches(r"\ba(?:b|c)\b|[|x]y|\(z|\bw") == [
        r"\ba(?:b|c)\b",
        "[|x]y",
        r"\(z",
        r"\bw",
    ]


def test_factoring_keeps_other_branches_and_leaves_single_ones_alone() -> None:
    assert nlu.word_start_factored(r"\bab|\bcd|^ef") == r"\b(?:ab|cd)|^ef"
    assert nlu.word_start_factored(r"\bab|cd") == r"\bab|cd"


@pytest.mark.parametrize("name", sorted(nlu.SIGNALS))
def test_every_signal_matches_the_same_messages_as_written(name: str) -> None:
    texts = [
        normalize(json.loads(line)["text"])
        for path in sorted(DATA.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(texts) > 4000
    written, compiled = re.compile(nlu.SIGNALS[name]), nlu._COMPILED[name]
    differ = [t for t in texts if bool(written.search(t)) != bool(compiled.search(t))]
    assert not differ, differ[:5]
