"""Every `policyqa ask "…"` example the README shows is run as written and answers (with a citation)."""
from __future__ import annotations

import json
import re
import shlex

import pytest
from click.testing import CliRunner

from cli.main import main
from policyqa.config import PROJECT_ROOT, Settings

README = PROJECT_ROOT / "README.md"
_ASK = re.compile(r"policyqa ask (\"[^\"]+\"[^#\n]*)")


def readme_examples() -> list[list[str]]:
    """The arguments after `policyqa ask` of each single-question example in the README."""
    found = []
    for match in _ASK.finditer(README.read_text(encoding="utf-8")):
        args = shlex.split(match.group(1).strip())
        found.append([a for a in args if a != "--json"])
    return found


def test_the_readme_has_examples() -> None:
    examples = readme_examples()
    assert len(examples) >= 4
    assert any(args[1:] == ["--style", "hotline"] for args in examples)


@pytest.mark.parametrize("args", readme_examples(), ids=lambda a: a[0])
def test_each_readme_example_answers(args: list[str], corpus_settings: Settings) -> None:
    result = CliRunner().invoke(main, ["ask", *args, "--json", "--index", str(corpus_settings.index_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["found"] and data["outcome"] == "answered" and data["citations"], data["answer"]
    assert re.search(r"\[\d+\]", data["answer"])
