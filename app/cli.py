"""The `policyqa` command line: a thin edge over ingest, index and app.

Heavy libraries are imported inside the commands that need them, so `policyqa ask` starts fast.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from policyqa.config import Settings, load_settings
from policyqa.errors import UserError


def _settings(index: Path | None, embed_model: str | None = None) -> Settings:
    return load_settings().with_overrides(index_dir=index, embed_model=embed_model)


def _fail(error: Exception) -> None:
    click.echo(f"错误：{error}", err=True)
    sys.exit(2)


index_option = click.option(
    "--index", "index", type=click.Path(path_type=Path), default=None,
    help="Index folder (default: POLICYQA_INDEX_DIR or the user data folder).",
)


@click.group()
@click.version_option(package_name="policy-qa")
def main() -> None:
    """政策问答 — answers from Chinese policy documents, citing the clauses they rest on."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--embed-model", default=None, help="Embedding model name or local folder (POLICYQA_EMBED_MODEL).")
def ingest(paths: tuple[Path, ...], index: Path | None, embed_model: str | None) -> None:
    """Build or update the index (default: the bundled corpus)."""
    from index.build import ingest_paths

    try:
        report = ingest_paths(list(paths), _settings(index, embed_model), progress=True)
    except UserError as error:
        _fail(error)
    click.echo(report.summary())


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One clause object per line.")
def clauses(path: Path, as_json: bool) -> None:
    """Show the clauses one file yields, without touching the index."""
    from ingest.pipeline import load_clauses

    try:
        found = load_clauses(path)
    except UserError as error:
        _fail(error)
    for clause in found:
        if as_json:
            click.echo(json.dumps(clause.to_json(), ensure_ascii=False))
        else:
            heading = " › ".join(clause.path)
            click.echo(f"[{clause.locator or clause.ordinal}] {heading}\n  {clause.text}\n")


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--top-k", type=int, default=None, help="How many clauses to retrieve (default 10).")
@click.option("--region", default=None, help="Only this region, e.g. 温州市.")
@click.option("--year", type=int, default=None, help="Only documents of this year.")
@click.option("--style", type=click.Choice(["default", "hotline"]), default="default",
              help="hotline: short, to be read aloud.")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JSON lines of {\"id\", \"question\"}; one answer per line, in order.")
@index_option
def ask(question: str | None, as_json: bool, top_k: int | None, region: str | None,
        year: int | None, style: str, batch: Path | None, index: Path | None) -> None:
    """Answer one question (or a batch) with citations; builds the index first if there is none."""
    from app.cli_ask import run_ask

    try:
        run_ask(_settings(index), question=question, as_json=as_json, top_k=top_k, region=region,
                year=year, style=style, batch=batch)
    except UserError as error:
        _fail(error)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=7860, show_default=True)
@index_option
def serve(host: str, port: int, index: Path | None) -> None:
    """Start the Gradio chat on the bundled corpus."""
    from app.web import serve as serve_web

    try:
        serve_web(_settings(index), host=host, port=port)
    except UserError as error:
        _fail(error)


@main.command(name="eval", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def eval_(ctx: click.Context) -> None:
    """Score the evaluation set and write a report."""
    from eval.run import main as run_eval

    sys.exit(run_eval(ctx.args))
