"""Which tuning values a behaviour test guards: each value of AnswerConfig moved one step, one at a time.

For every field of `app.answer.config.AnswerConfig` the check copies the project's files to a
temporary folder beside it, moves the field's default one step up and down (a tenth of its value; an
integer by at least one), runs the answer tests there and records whether a test failed ("caught").
The summary (eval/bench/mutants.md) is the README's count.

    python -m eval.mutants                      # every field, both directions (about 20 min on 2 cores)
    python -m eval.mutants --fields candidates  # some fields only
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from app.answer.config import DEFAULT_CONFIG, AnswerConfig

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "eval" / "bench" / "mutants.md"
# the tests that read answers and their parts (not the real model, the page, the random inputs or the
# second backend: slow, and about other things). The training values
# (decline_precision …) act through the model file: a test checks it was trained with them.
TESTS = ("tests/app", "tests/cli/test_readme_examples.py", "--ignore=tests/app/llm/test_real_model.py",
         "--ignore=tests/app/web", "--ignore=tests/app/test_fuzz_questions.py",
         "--ignore=tests/app/test_service_backends.py")


@dataclass(frozen=True)
class Mutant:
    field: str
    value: float | int
    caught: bool
    by: str  # the first failing test ("" when none failed)
    seconds: float


def steps(value: float | int) -> list[float | int]:
    """The values one step from `value`, up and down: a tenth of itself (an integer by at least one,
    not below 0: a count of clauses moves by one, a limit of 160 characters by 16; a share at 0 to 0.1)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        step = max(1, round(value * 0.1))
        return [v for v in (value + step, value - step) if v >= 0]
    if value == 0:  # a tenth of nothing is no move: a share at 0 moves to 0.1
        return [0.1]
    return [round(value * 1.1, 6), round(value * 0.9, 6)]


def mutate(source: str, field: str, value: float | int) -> str:
    """config.py's text with `field`'s default set to `value` (ValueError when not found exactly once)."""
    pattern = re.compile(rf"^(\s+{re.escape(field)}: \w+ = )([^\s#]+)", re.MULTILINE)
    changed, count = pattern.subn(lambda m: f"{m.group(1)}{value!r}", source)
    if count != 1:
        raise ValueError(f"{field}: {count} definitions in config.py")
    return changed


def run_one(tree: Path, field: str, value: float | int, source: str) -> Mutant:
    config = tree / "app" / "answer" / "config.py"
    config.write_text(mutate(source, field, value), encoding="utf-8")
    start = time.perf_counter()
    args = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *TESTS]
    done = subprocess.run(args, cwd=tree, capture_output=True, text=True, check=False)
    config.write_text(source, encoding="utf-8")
    failed = re.search(r"^FAILED (.+?)(?: - |$)", done.stdout, re.MULTILINE)
    return Mutant(field, value, done.returncode != 0, failed.group(1) if failed else "", time.perf_counter() - start)


def copy_tree(into: Path) -> Path:
    """The committed files of the project (git ls-files), copied into `into`."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in listed:
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return into


def report(mutants: list[Mutant]) -> str:
    caught = sum(m.caught for m in mutants)
    fields = sorted({m.field for m in mutants})
    guarded = [f for f in fields if all(m.caught for m in mutants if m.field == f)]
    lines = [f"# Tuning values moved one step ({time.strftime('%Y-%m-%d')})", "",
             f"{caught} of {len(mutants)} moves caught by a behaviour test; {len(guarded)} of {len(fields)} values "
             "caught in both directions.", "", "| value | moved to | caught | first failing test |",
             "| --- | ---: | --- | --- |"]
    lines += [f"| `{m.field}` | {m.value} | {'yes' if m.caught else '**no**'} | {m.by or '–'} |" for m in mutants]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fields", nargs="*", help="only these AnswerConfig fields")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    names = [f.name for f in dataclasses.fields(AnswerConfig)]
    unknown = set(args.fields or ()) - set(names)
    if unknown:
        parser.error(f"not fields of AnswerConfig: {', '.join(sorted(unknown))}")
    source = (ROOT / "app" / "answer" / "config.py").read_text(encoding="utf-8")
    mutants: list[Mutant] = []
    # beside the project, so that the copy finds ../shared as the project does
    with tempfile.TemporaryDirectory(prefix="policyqa-mutants-", dir=ROOT.parent) as folder:
        tree = copy_tree(Path(folder))
        for name in args.fields or names:
            for value in steps(getattr(DEFAULT_CONFIG, name)):
                mutant = run_one(tree, name, value, source)
                mutants.append(mutant)
                print(f"{name} -> {value}: {'caught by ' + mutant.by if mutant.caught else 'NOT caught'} "
                      f"({mutant.seconds:.0f} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(mutants), encoding="utf-8")
    print(report(mutants))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
