"""click's usage errors (a missing argument, an unknown option, a bad value) in Chinese.

click writes them in English; the UI's language is Chinese. Each kind of error is told from its
exception type and the parameter it names, so the message does not depend on click's wording.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import click


def _hint(param: click.Parameter | None, fallback: str | Sequence[str] | None = None) -> str:
    if param is None:
        return (fallback if isinstance(fallback, str) else " / ".join(fallback or ())) or "参数"
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return (param.human_readable_name or param.name or "参数").upper()


def _expected(param: click.Parameter | None) -> str:
    """What a value of this parameter must be, in words."""
    kind = getattr(param, "type", None)
    if isinstance(kind, click.Choice):
        return "应为以下之一：" + "、".join(str(c) for c in kind.choices)
    if isinstance(kind, click.IntRange | click.FloatRange):
        return f"应为 {kind.min if kind.min is not None else '…'} 到 {kind.max if kind.max is not None else '…'} 之间的数"
    if kind is click.INT:
        return "应为整数"
    if kind is click.FLOAT:
        return "应为数字"
    if isinstance(kind, click.Path):
        return "路径无效或不存在"
    return "取值无效"


def usage_message(error: click.UsageError) -> str:
    """The Chinese text of a click usage error (what was wrong and where to read the help)."""
    if isinstance(error, click.MissingParameter):
        what = f"缺少参数 {_hint(error.param, error.param_hint)}"
    elif isinstance(error, click.NoSuchOption):
        near = f"；是不是想用 {'、'.join(sorted(error.possibilities))}？" if error.possibilities else ""
        what = f"没有选项 {error.option_name}{near}"
    elif isinstance(error, click.BadOptionUsage):
        what = f"选项 {error.option_name} 用法不对（可能缺少它的取值）"
    elif isinstance(error, click.BadParameter):
        value = re.search(r"'([^']*)'", error.message)
        shown = f" “{value.group(1)[:40]}”" if value else ""
        what = f"参数 {_hint(error.param, error.param_hint)} 的值{shown}无效：{_expected(error.param)}"
    elif (command := re.match(r"No such command '([^']*)'", error.message)) is not None:
        what = f"没有命令 {command.group(1)}"
    elif (extra := re.match(r"Got unexpected extra arguments? \((.*)\)", error.message)) is not None:
        what = f"多余的参数：{extra.group(1)}（含空格的问题请加引号）"
    else:
        what = f"用法不对（{error.message}）"
    path = error.ctx.command_path if error.ctx is not None else "policyqa"
    return f"错误：{what}。\n查看用法：{path} --help"
