"""`policyqa ask`: one question, or a JSON-lines batch, answered by one AnswerService."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from app.render import answer_to_json, answer_to_text
from app.service import AnswerService
from app.text.inputs import without_surrogates
from policyqa.config import Settings
from policyqa.errors import UserError
from policyqa.model import as_style


def _echo(text: str) -> None:
    """Print, with any lone surrogate (half a character pair, unencodable) shown as U+FFFD."""
    click.echo(without_surrogates(text))


def _print_json(data: dict[str, Any]) -> None:
    _echo(json.dumps(data, ensure_ascii=False, allow_nan=False))


def _not_standard(constant: str) -> Any:
    raise ValueError(f"{constant} 不是标准 JSON 的值")


def _batch_item(line: str, number: int) -> tuple[Any, str | UserError]:
    """(id, question) of one input line, or (id, the error) when it is not usable.

    The id is the line's own "id" when it has one, else the line number.
    """
    try:
        item = json.loads(line, parse_constant=_not_standard)
    except json.JSONDecodeError as error:
        return number, UserError(f"第{number}行不是合法的 JSON：{error.msg}")
    except ValueError as error:  # NaN / Infinity: would be echoed back as non-standard JSON
        return number, UserError(f"第{number}行不是合法的 JSON：{error}")
    if not isinstance(item, dict):
        return number, UserError(f"第{number}行应为对象，如 {{\"id\": 1, \"question\": \"…\"}}")
    question = item.get("question")
    if not isinstance(question, str):
        return item.get("id", number), UserError(f"第{number}行缺少字符串字段 question")
    return item.get("id", number), question


def _run_batch(service: AnswerService, batch: Path, as_json: bool, options: dict[str, Any]) -> None:
    """One answer per non-blank input line, in order; a bad line gives an error object, not a crash."""
    from ingest.load_txt import decode_text

    try:
        text = decode_text(batch.read_bytes(), str(batch))  # UTF-8, UTF-16, GB18030 … as documents
    except OSError as error:
        raise UserError(f"无法读取问题文件 {batch}：{error}") from None
    # JSON lines end at "\n" only: U+2028, U+2029 and U+0085 may stand raw inside a JSON string
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        item_id, question = _batch_item(line, number)
        try:
            if isinstance(question, UserError):
                raise question
            answer = service.ask(question, **options)
            shown = ({"id": item_id, **answer_to_json(answer)} if as_json
                     else f"## {item_id}\n{answer_to_text(answer)}\n")
        except UserError as error:
            shown = ({"id": item_id, "error": str(error), "found": False} if as_json
                     else f"## {item_id}\n错误：{error}\n")
        except Exception as error:  # noqa: BLE001 - one broken question must not end a batch
            message = f"内部错误（{type(error).__name__}），该问题未能回答。"
            shown = ({"id": item_id, "error": message, "found": False} if as_json
                     else f"## {item_id}\n错误：{message}\n")
        if isinstance(shown, dict):
            _print_json(shown)
        else:
            _echo(shown)


def run_ask(settings: Settings, *, question: str | None, as_json: bool, top_k: int | None,
            region: str | None, year: int | None, style: str, batch: Path | None) -> None:
    """Answer `question` (or every line of `batch`) and print the answer(s)."""
    if question is None and batch is None:
        raise UserError("请给出问题，例如：policyqa ask \"外贸企业出口信用保险补助比例是多少\"，或用 --batch 指定问题文件。")
    if question is not None and batch is not None:
        raise UserError("问题和 --batch 只能二选一。")
    if top_k is not None and top_k < 1:
        raise UserError("--top-k 必须是正整数。")
    service = AnswerService(settings, progress=sys.stderr.isatty())
    options: dict[str, Any] = dict(top_k=top_k or 10, region=region, year=year, style=as_style(style))
    if batch is not None:
        _run_batch(service, batch, as_json, options)
        return
    assert question is not None
    answer = service.ask(question, **options)
    click.echo(json.dumps(answer_to_json(answer), ensure_ascii=False) if as_json else answer_to_text(answer))
