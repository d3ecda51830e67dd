"""The `policyqa` command line: a thin edge over ingest, index and app.

Heavy libraries are imported inside the commands that need them, so `policyqa ask` starts fast.
"""
from __future__ import annotations

import json
import logging
import sys
import warnings
from pathlib import Path

import click

from index.backend import BACKENDS
from policyqa.config import Settings, load_settings
from policyqa.errors import UserError
from policyqa.model import DEFAULT_TOP_K, STATUS_DRAFT, STYLES
from policyqa.status import publication_label


def _settings(index: Path | None, embed_model: str | None = None) -> Settings:
    """The environment's settings with this invocation's options (`policyqa --backend milvus ask …`)."""
    chosen = (click.get_current_context(silent=True) or click.Context(main)).find_root().obj or {}
    return load_settings().with_overrides(index_dir=index, embed_model=embed_model,
                                          index_backend=chosen.get("backend"), milvus_uri=chosen.get("milvus_uri"))


def _fail(error: Exception) -> None:
    click.echo(f"错误：{error}", err=True)
    sys.exit(2)


index_option = click.option(
    "--index", "index", type=click.Path(path_type=Path), default=None,
    help="Index folder (default: POLICYQA_INDEX_DIR or the user data folder).",
)


OUR_PACKAGES = ("policyqa", "ingest", "index", "app", "eval", "cli")


def configure_logging(verbose: bool) -> None:
    """Our messages (progress, fallbacks) on stderr as plain lines; with -v, debug detail and sources.

    Other libraries stay at WARNING: their INFO lines (HTTP requests, model loading) are noise here.
    """
    # jieba and milvus-lite import pkg_resources, which warns on every start; nothing for a user to do
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose else "%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in OUR_PACKAGES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)


@click.group()
@click.version_option(package_name="policy-qa")
@click.option("-v", "--verbose", is_flag=True, help="Debug messages, with their source.")
@click.option("--backend", type=click.Choice(list(BACKENDS)), default=None,
              help="Index backend (POLICYQA_INDEX_BACKEND; default faiss).")
@click.option("--milvus-uri", default=None,
              help="Milvus: a file path (Milvus Lite) or http://host:19530 (POLICYQA_MILVUS_URI).")
@click.pass_context
def main(ctx: click.Context, verbose: bool, backend: str | None, milvus_uri: str | None) -> None:
    """政策问答 — answers from Chinese policy documents, citing the clauses they rest on."""
    configure_logging(verbose)
    ctx.obj = {"backend": backend, "milvus_uri": milvus_uri}


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))  # our own per-file errors
@index_option
@click.option("--embed-model", default=None, help="Embedding model name or local folder (POLICYQA_EMBED_MODEL).")
@click.option("--replace", is_flag=True, help="Make the index hold exactly these files (others are removed).")
def ingest(paths: tuple[Path, ...], index: Path | None, embed_model: str | None, replace: bool) -> None:
    """Add files to the index or update them (default: the bundled corpus); --replace to start over."""
    from index.build import ingest_paths

    try:
        report = ingest_paths(list(paths), _settings(index, embed_model), progress=True, replace=replace)
    except UserError as error:
        _fail(error)
    except KeyboardInterrupt:
        click.echo("已中断；原有索引未改动。", err=True)
        sys.exit(130)
    click.echo(report.summary())
    if report.errors:  # the good files are in; say (by exit status too) that some were not
        sys.exit(1)


@main.command()
@click.argument("documents", nargs=-1, required=True)
@index_option
def remove(documents: tuple[str, ...], index: Path | None) -> None:
    """Remove documents (by id, e.g. wenzhou-2024-policies, or by file path) from the index."""
    from index.build import remove_documents

    try:
        report = remove_documents(list(documents), _settings(index))
    except UserError as error:
        _fail(error)
    click.echo(report.summary())


@main.command()
@click.argument("path", type=click.Path(path_type=Path, readable=False))
@click.option("--json", "as_json", is_flag=True, help="One clause object per line.")
def clauses(path: Path, as_json: bool) -> None:
    """Show the clauses one file yields, without touching the index."""
    from ingest.pipeline import load_clauses

    try:
        found = load_clauses(path)
    except UserError as error:
        _fail(error)
    if as_json:
        for clause in found:
            click.echo(json.dumps(clause.to_json(), ensure_ascii=False))
        return
    doc = found[0].doc
    facts = [doc.doc_number, doc.issuer, doc.region, doc.date, publication_label(doc) if doc.status == STATUS_DRAFT else "",
             f"有效期至{doc.valid_until}" if doc.valid_until else ""]
    click.echo(f"《{doc.title}》 {' · '.join(f for f in facts if f)} — {len(found)} 条\n")
    for clause in found:
        heading = " › ".join(clause.path)
        click.echo(f"[{clause.locator}] {heading}\n  {clause.text}\n")


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--top-k", type=int, default=None, help=f"How many clauses to retrieve (default {DEFAULT_TOP_K}).")
@click.option("--region", default=None, help="Only this region, e.g. 温州市.")
@click.option("--year", type=int, default=None, help="Only documents of this year.")
@click.option("--style", type=click.Choice(STYLES), default="default",
              help="hotline: short, to be read aloud.")
@click.option("--batch", type=click.Path(path_type=Path), default=None,  # checked with our own messages
              help="JSON lines of {\"id\", \"question\"}; one answer per line, in order.")
@index_option
def ask(question: str | None, as_json: bool, top_k: int | None, region: str | None,
        year: int | None, style: str, batch: Path | None, index: Path | None) -> None:
    """Answer one question (or a batch) with citations; builds the index first if there is none."""
    from cli.ask import run_ask

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
    from app.web.page import serve as serve_web

    try:
        serve_web(_settings(index), host=host, port=port)
    except UserError as error:
        _fail(error)


@main.command(name="train-decision")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model (default: the shipped app/answer/data/decision.json).")
@click.option("--map-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the question map (default: the shipped index/data/query_map.npy).")
@index_option
def train_decision(out: Path | None, map_out: Path | None, index: Path | None) -> None:
    """Rebuild the question map and the answer decision model from the training questions (never pickle)."""
    from eval.decision_training import train_bundled

    settings = _settings(index)
    if index is None:
        settings = settings.with_overrides(index_dir=settings.index_dir.parent / "eval-index")
    try:
        model = train_bundled(settings, out=out, map_out=map_out)
    except UserError as error:
        _fail(error)
    training = model.training
    click.echo(f"决策模型已重建：{training['questions']} 个问题（{'、'.join(training['sources'])}），"
               f"阈值 {model.threshold:.4f}（有答案的机会 {training['answer_chance_target']:.0%}），"
               f"拒答精确率（交叉验证）{training['decline_precision_out_of_fold']:.3f}")


@main.command(name="eval")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Report folder (default: eval/reports/latest).")
@click.option("--configs", default="bm25,dense,hybrid,naive", show_default=True,
              help="Configurations to compare, comma-separated.")
@click.option("--fail-under", "fail_under", multiple=True, metavar="METRIC=VALUE",
              help="Exit 1 when METRIC (e.g. hybrid.R@10, hybrid.key_fact_accuracy) misses VALUE; repeatable.")
@click.option("--check-expected", is_flag=True, help="Also gate on the floors in eval/expected.yaml.")
@click.option("--quick", is_flag=True, help="Hybrid retrieval and answers only (what CI gates on).")
@click.option("--fold-seeds", "fold_seeds", default="", metavar="SEED,SEED,…",
              help="Also cross-validate the training sources under these further fold splits and report the "
                   "spread (about a minute each): how much a figure moves with the split alone.")
@click.option("--llm", "with_llm", is_flag=True,
              help="Only compare the LLM answerer with the offline one on a subset (the configured model, "
                   "else the bundled local one).")
@click.option("--llm-questions", default=12, show_default=True, type=click.IntRange(min=1),
              help="With --llm: how many questions, taken kind by kind.")
@click.option("--llm-budget", default=900.0, show_default=True, type=click.FloatRange(min=1),
              help="With --llm: stop asking after this many seconds.")
@click.option("--llm-sample", type=click.Choice(["project", "shared"]), default="project", show_default=True,
              help="With --llm: the project's questions (--llm-questions of them), or the fixed 30 of ../shared/dev "
                   "(15 development, 15 training), also scored by ../shared/dev/score.py.")
@click.option("--llm-clauses", default=None, type=click.IntRange(min=1),
              help="With --llm: clauses in the prompt (default: 3 for the bundled model, else POLICYQA_LLM_CONTEXT_CLAUSES).")
@click.option("--llm-max-tokens", default=None, type=click.IntRange(min=1),
              help="With --llm: longest answer in tokens (default: 200 for the bundled model, else POLICYQA_LLM_MAX_TOKENS).")
@click.option("--llm-rewrite", "llm_rewrite", is_flag=True,
              help="With --llm: instead of answers, recall with and without the model's rewrite of the question "
                   "(the development set and the training set's paraphrase and colloquial questions).")
@click.option("--backend", type=click.Choice(list(BACKENDS)), default=None,
              help="Evaluate on this index backend (same as policyqa --backend …).")
@index_option
def eval_(out_dir: Path | None, configs: str, fail_under: tuple[str, ...], check_expected: bool,
          quick: bool, with_llm: bool, llm_questions: int, llm_budget: float, llm_sample: str,
          llm_clauses: int | None, llm_max_tokens: int | None, llm_rewrite: bool, backend: str | None,
          index: Path | None, fold_seeds: str) -> None:
    """Score the evaluation set and write a report.

    Without --index it uses its own index of the bundled corpus (beside the default index), so the
    scores are reproducible whatever else has been ingested.
    """
    from eval.command import DEFAULT_OUT, parse_configs, parse_fold_seeds, run_eval, run_llm_eval

    settings = _settings(index).with_overrides(index_backend=backend)
    if index is None:
        settings = settings.with_overrides(index_dir=settings.index_dir.parent / "eval-index")
    if with_llm:
        if fold_seeds:
            _fail(UserError("--fold-seeds 只用于完整报告（按来源交叉验证），不能与 --llm 同用。"))
        try:
            run_llm_eval(settings, out_dir=out_dir or DEFAULT_OUT, limit=llm_questions, budget_s=llm_budget,
                         echo=click.echo, refresh_bundled_index=index is None, context_clauses=llm_clauses,
                         max_tokens=llm_max_tokens, sample=llm_sample, rewrite=llm_rewrite)
        except UserError as error:
            _fail(error)
        return
    try:
        code = run_eval(settings, out_dir=out_dir or DEFAULT_OUT, configs=parse_configs(configs),
                        fail_under=fail_under, quick=quick, check_expected=check_expected, echo=click.echo,
                        refresh_bundled_index=index is None,
                        fold_seeds=parse_fold_seeds(fold_seeds) if fold_seeds else ())
    except UserError as error:
        _fail(error)
    sys.exit(code)


def run(argv: list[str] | None = None) -> None:
    """The `policyqa` console script: the command group, with its usage errors in Chinese."""
    from cli.usage import usage_message

    try:
        main.main(args=argv, prog_name="policyqa", standalone_mode=False)
    except click.UsageError as error:
        click.echo(usage_message(error), err=True)
        sys.exit(2)
    except click.Abort:
        click.echo("已中止。", err=True)
        sys.exit(1)
