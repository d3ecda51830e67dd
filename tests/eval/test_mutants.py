"""The mutation check's parts: the steps a value moves by, the edit of config.py, the summary."""
from __future__ import annotations

import pytest

from eval.mutants import ROOT, Mutant, mutate, report, steps


def test_steps_move_a_tenth_and_an_integer_by_at_least_one() -> None:
    assert steps(5) == [6, 4] and steps(160) == [176, 144] and steps(1) == [2, 0] and steps(0) == [1]
    assert steps(0.5) == [0.55, 0.45] and steps(0.0) == [0.1]
    assert steps(True) == []


def test_mutate_changes_exactly_the_named_default() -> None:
    source = (ROOT / "app" / "answer" / "config.py").read_text(encoding="utf-8")
    changed = mutate(source, "max_citations", 5)
    assert "    max_citations: int = 5\n" in changed and "    max_citations: int = 4\n" not in changed
    assert changed.replace("max_citations: int = 5", "max_citations: int = 4") == source
    with pytest.raises(ValueError, match="no_such_field"):
        mutate(source, "no_such_field", 1)


def test_report_counts_moves_and_values_caught_both_ways() -> None:
    text = report([Mutant("a", 2, True, "t1", 1.0), Mutant("a", 0, True, "t2", 1.0), Mutant("b", 6, False, "", 1.0)])
    assert "2 of 3 moves caught" in text and "1 of 2 values caught in both directions" in text
    assert "| `b` | 6 | **no** | – |" in text
