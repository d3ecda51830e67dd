"""Usage errors of the `policyqa` command line are told in Chinese, with where to read the help."""
from __future__ import annotations

import pytest

from cli.main import run


@pytest.mark.parametrize(("argv", "said"), [
    (["ask", "--bogus", "x"], "没有选项 --bogus"),
    (["--backend", "foo", "ask", "x"], "应为以下之一：faiss、milvus"),
    (["ask", "x", "--top-k", "abc"], "应为整数"),
    (["ask", "x", "--year", "1e300"], "应为整数"),
    (["nosuch"], "没有命令 nosuch"),
    (["ask", "a", "b"], "多余的参数"),
    (["ask", "x", "--year"], "--year"),
    (["clauses"], "缺少参数 PATH"),
])
def test_usage_errors_are_chinese(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        run(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "--help" in err
    for english in ("Usage:", "Error:", "No such", "Invalid value", "Missing argument", "is not"):
        assert english not in err, err
