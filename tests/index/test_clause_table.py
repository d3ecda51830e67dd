"""Clause records are read by row from the index folder, never all at once when an index opens."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import index.build
import index.clause_table
from index.backend import open_index
from index.clause_table import ROWS_FILE, ClauseTable
from index.local_files import CLAUSES, read_index
from policyqa.config import Settings
from policyqa.errors import IndexUnreadableError
from policyqa.model import Clause

pytestmark = pytest.mark.usefixtures("line_loader")


@pytest.fixture
def built(small_corpus: Path, tmp_path: Path) -> Settings:
    settings = Settings(index_dir=tmp_path / "index", embed_model="offline", semantic_model="off")
    index.build.ingest_paths([small_corpus], settings)
    return settings


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    decoded: list[str] = []
    original = Clause.from_json.__func__  # type: ignore[attr-defined]

    def counting(cls, data, doc):
        decoded.append(data["clause_id"])
        return original(cls, data, doc)

    monkeypatch.setattr(Clause, "from_json", classmethod(counting))
    return decoded


def test_opening_an_index_decodes_no_clause_and_a_search_only_what_it_returns(
        built: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded = _count_decodes(monkeypatch)
    opened = open_index(built)
    assert decoded == []
    hits = opened.search("出口信用保险 保费补助", top_k=2)
    assert len(hits) == 2 and 0 < len(set(decoded)) < len(opened.clauses)
    assert {h.clause.clause_id for h in hits} <= set(decoded)


def test_the_table_reads_back_every_clause_as_written(built: Settings) -> None:
    held = read_index(built.index_dir, with_tokens=True)
    table = held.clauses
    assert isinstance(table, ClauseTable) and len(table) == 8
    rows = (built.index_dir / CLAUSES).read_text(encoding="utf-8").splitlines()
    assert [c.clause_id for c in table] == [line.split('"clause_id": "')[1].split('"')[0] for line in rows]
    assert table[-1] == table[7] and table[2:4] == [table[2], table[3]]
    with pytest.raises(IndexError):
        table[8]
    assert [table.row_of(c.clause_id) for c in table] == list(range(8)) and table.row_of("ra-9") is None
    assert [table[r].clause_id for r in table.rows_of("ra")] == ["ra-1", "ra-2", "ra-3"]
    assert table.rows_of("none").tolist() == []
    opened = open_index(built)
    assert [c.clause_id for c in opened.clauses_of("yq")] == ["yq-1", "yq-2"]
    assert opened.clause("wz-2") is not None and opened.clause("wz-2").doc.region == "温州市"
    assert opened.clause("wz-9") is None


def test_ids_whose_hashes_collide_are_still_told_apart(built: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index.clause_table, "id_hash", lambda clause_id: 7)
    stored = read_index(built.index_dir)
    table = ClauseTable(stored.documents, stored.clauses.document_of_row, np.full(len(stored.clauses), 7),
                        held=list(stored.clauses))
    assert [table.row_of(c.clause_id) for c in stored.clauses] == list(range(8))
    assert table.row_of("ra-9") is None


def test_an_index_written_before_the_rows_file_still_opens(built: Settings) -> None:
    manifest_path = built.index_dir / "manifest.json"
    (built.index_dir / ROWS_FILE).unlink()
    import json

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["parts"][ROWS_FILE]
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    opened = open_index(built)
    assert len(opened.clauses) == 8 and opened.search("腾笼换鸟", top_k=1)[0].clause.clause_id == "ra-3"


@pytest.mark.parametrize("damage", ["shape", "document", "starts"])
def test_a_damaged_rows_file_is_reported_not_misread(built: Settings, damage: str) -> None:
    path = built.index_dir / ROWS_FILE
    table = np.load(path)
    if damage == "shape":
        table = table[:, :2]
    elif damage == "document":
        table[0, 1] = 99
    else:
        table[3, 0] = table[2, 0]  # two rows starting at one line
    np.save(path, table)
    with pytest.raises(IndexUnreadableError, match="索引文件损坏"):
        read_index(built.index_dir)
