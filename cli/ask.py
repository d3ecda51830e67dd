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
from policyqa.model import DEFAULT_TOP_K, as_style
from policyqa.numerals import check_year


def _echo(text: str) -> None:
    """Print, with any lone surrogate (half a character pair, unencodable) shown as U+FFFD."""
    click.echo(without_surrogates(text))


def _print_json(data: dict[str, Any]) -> None:
    _echo(json.dumps(data, ensure_ascii=False, allow_nan=False))


def _not_standard(constant: str) -> Any:
    raise ValueError(f"{constant} 不是标准 JSON 的值")


def _finite(number: str) -> float:
    value = float(number)
    if value in (float("inf"), float("-inf")):  # 1e400: would be echoed back as non-standard JSON
        raise ValueError(f"数 {number[:20]} 超出范围")
    return value


def batch_lines(data: bytes, name: str) -> list[str | UserError]:
    """The lines of a batch file, each decoded on its own when the whole file is not one text: a
    line of bad bytes becomes its own error, never the whole batch's."""
    from ingest.load_txt import decode_text

    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 needs the whole file; else line by line
        try:
            return list(data.decode("utf-8-sig").replace("\r\n", "\n").split("\n"))
        except UnicodeDecodeError:
            pass
    try:
        # JSON lines end at "\n" only: U+2028, U+2029 and U+0085 may stand raw inside a JSON string
        return list(decode_text(data, name).replace("\r\n", "\n").split("\n"))
    except UserError:
        lines: list[str | UserError] = []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            try:
                lines.append(raw.rstrip(b"\r").decode("utf-8"))
            except UnicodeDecodeError as error:
                lines.append(UserError(f"第{number}行不是 UTF-8 文本（第 {error.start + 1} 个字节无法解码）"))
        return lines


def _batch_item(line: str, number: int) -> tuple[Any, str | UserError]:
    """(id, question) of one input line, or (id, the error) when it is not usable.

    The id is the line's own "id" when it has one, else the line number.
    """
    try:
        item = json.loads(line, parse_constant=_not_standard, parse_float=_finite)
    except json.JSONDecodeError as error:
        return number, UserError(f"第{number}行不是合法的 JSON：{error.msg}")
    except ValueError as error:  # NaN / Infinity / 1e400: would be echoed back as non-standard JSON
        return number, UserError(f"第{number}行不是合法的 JSON：{error}")
    except RecursionError:
        return number, UserError(f"第{number}行的 JSON 嵌套过深")
    if not isinstance(item, dict):
        return number, UserError(f"第{number}行应为对象，如 {{\"id\": 1, \"question\": \"…\"}}")
    question = item.get("question")
    if not isinstance(question, str):
        return item.get("id", number), UserError(f"第{number}行缺少字符串字段 question")
    return item.get("id", number), question


def read_batch(batch: Path, max_mb: int) -> bytes:
    """The bytes of a batch file: a regular file (after links) of at most `max_mb` MB, else UserError."""
    try:
        if not batch.exists():
            raise UserError(f"问题文件 {batch} 不存在。")
        if not batch.resolve().is_file():
            raise UserError(f"问题文件 {batch} 不是普通文件（设备、管道或文件夹不能作为问题文件）。")
        if batch.stat().st_size > max_mb * 1024 * 1024:
            raise UserError(f"问题文件 {batch} 超过 {max_mb} MB（POLICYQA_MAX_FILE_MB），请拆分后再问。")
        return batch.read_bytes()
    except OSError as error:
        raise UserError(f"无法读取问题文件 {batch}：{error}") from None


def _run_batch(service: AnswerService, batch: Path, as_json: bool, options: dict[str, Any], max_mb: int) -> None:
    """One answer per non-blank input line, in order; a bad line gives an error object, not a crash."""
    for number, line in enumerate(batch_lines(read_batch(batch, max_mb), str(batch)), start=1):
        item_id: Any
        question: str | UserError
        if isinstance(line, UserError):
            item_id, question = number, line
        elif not line.strip():
            continue
        else:
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
            try:
                _print_json(shown)
            except (ValueError, TypeError, RecursionError):  # an id JSON cannot write back
                _print_json({"id": number, "error": f"第{number}行的 id 无法原样输出", "found": False})
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
    check_year(year)
    service = AnswerService(settings, progress=sys.stderr.isatty())
    options: dict[str, Any] = dict(top_k=top_k or DEFAULT_TOP_K, region=region, year=year, style=as_style(style))
    if batch is not None:
        _run_batch(service, batch, as_json, options, settings.max_file_mb)
        return
    assert question is not None
    answer = service.ask(question, **options)
    click.echo(json.dumps(answer_to_json(answer), ensure_ascii=False) if as_json else answer_to_text(answer))
