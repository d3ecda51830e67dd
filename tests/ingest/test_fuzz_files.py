"""Generated bad files (48 in CI; POLICYQA_FUZZ_FILES for more): every one is loaded or refused
with one clear error, never a crash,
and an ingest of all of them leaves the index loadable and answering."""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from index.backend import open_index
from index.build import ingest_paths
from ingest.pipeline import load_many
from policyqa.config import BUNDLED_CORPUS, Settings

from .ingest_builders import build_docx, build_html, build_pdf

SEED = 20261201
SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
LINES = ["一、总体要求", "1.加大投入。市财政安排资金1亿元。（责任单位：市财政局）", "2.支持外贸企业出境参展，给予补助。"]


def _generated_files(folder: Path, count: int) -> list[Path]:
    """`count` damaged files: good files of every format cut short, bytes flipped, given another
    extension, or replaced by noise — the same files on every run (fixed seed)."""
    rng = random.Random(SEED)
    good = [BUNDLED_CORPUS / "yueqing-2023-policies.txt", build_pdf(LINES, folder / "good.pdf"),
            build_docx(LINES, folder / "good.docx"), build_html(LINES, folder / "good.html")]
    made = []
    for i in range(count):
        raw = rng.choice(good).read_bytes()
        how = i % 4
        if how == 0:
            raw = raw[: rng.randint(0, len(raw))]
        elif how == 1:
            data = bytearray(raw)
            for _ in range(rng.randint(1, 50)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            raw = bytes(data)
        elif how == 3:
            raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 4096)))
        path = folder / f"bad-{i:03d}{rng.choice(SUFFIXES)}"
        path.write_bytes(raw)
        made.append(path)
    return made


@pytest.mark.slow
def test_generated_bad_files_are_loaded_or_refused_clearly(tmp_path: Path) -> None:
    files = _generated_files(tmp_path, int(os.environ.get("POLICYQA_FUZZ_FILES", "48")))
    loaded, errors = load_many(files)
    assert len(loaded) + len(errors) == len(files)
    assert not [e for e in errors if "解析失败" in str(e)]  # each failure is understood, none a crash
    for error in errors:
        message = str(error)
        assert message.startswith(str(tmp_path)) and "Traceback" not in message


@pytest.mark.slow
def test_ingesting_generated_bad_files_keeps_the_index_answering(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index", embed_model="offline")
    ingest_paths([BUNDLED_CORPUS / "wenzhou-2024-policies.txt"], settings)
    folder = tmp_path / "bad"
    folder.mkdir()
    _generated_files(folder, 40)
    ingest_paths([folder], settings)  # good pieces may be added; bad ones are reported
    index = open_index(settings)
    assert any(c.doc.doc_id == "wenzhou-2024-policies" for c in index.clauses)
    found = index.search("温州工业用地容积率一般不低于多少", top_k=10)
    assert any(h.clause.doc.doc_id == "wenzhou-2024-policies" for h in found)
