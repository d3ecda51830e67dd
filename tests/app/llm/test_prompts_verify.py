"""Prompt templates are checked; generated units are verified and repaired."""
from __future__ import annotations

import pytest

from app.llm import prompts
from app.llm.verify import Renumbering, check_unit, take_units

from tests.app.answer_fakes import CLAUSES


def test_shipped_templates_load_with_exactly_their_variables() -> None:
    for name, variables in (prompts.SYSTEM, prompts.USER, prompts.CLAUSE, prompts.STYLE_DEFAULT, prompts.STYLE_HOTLINE):
        assert prompts.load_template(name, variables).variables == variables


def test_checker_refuses_missing_or_extra_variables(tmp_path) -> None:
    (tmp_path / "t.txt").write_text("问题：{question} 多余：{extra}", encoding="utf-8")
    with pytest.raises(prompts.TemplateError, match="extra"):
        prompts.load_template("t", frozenset({"question", "clauses"}), tmp_path)
    with pytest.raises(prompts.TemplateError, match="missing"):
        prompts.load_template("absent", frozenset(), tmp_path)
    template = prompts.check_template("ok", "{a}{b}", frozenset({"a", "b"}))
    with pytest.raises(prompts.TemplateError):
        template.render(a=1)
    assert template.render(a=1, b="{x}") == "1{x}"  # braces in values are data


def test_units_end_after_marker_runs() -> None:
    units, rest = take_units("甲[1]。乙[2][3]；丙", final=False)
    assert units == ["甲[1]。", "乙[2][3]；"] and rest == "丙"
    assert take_units("丙", final=True) == (["丙"], "")


def test_check_unit_repairs() -> None:
    supplied = {1: CLAUSES[0], 2: CLAUSES[1]}
    good = check_unit("给予保费60%的补助【1】。", supplied, set())
    assert good.text == "给予保费60%的补助[1]。" and good.cited == (1,)
    foreign = check_unit("不低于70%[2][7]。", supplied, set())
    assert foreign.text == "不低于70%[2]。" and foreign.removed_markers == (7,)
    wrong = check_unit("给予保费60%的补助。上限999万元[1]。", supplied, set())
    assert wrong.text == "给予保费60%的补助[1]。" and wrong.unsupported == ("999万元",)
    uncited = check_unit("另有30%补助。", supplied, set())
    assert uncited.text == "" and uncited.dropped


def test_renumbering_follows_first_use() -> None:
    renumbering = Renumbering()
    assert renumbering.apply("甲[3]乙[1]丙[3]") == "甲[1]乙[2]丙[1]"
