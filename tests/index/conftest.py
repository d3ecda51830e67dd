"""Index test helpers: tiny policy files read by a simple line loader instead of ingest/."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from policyqa.errors import BadFileError
from policyqa.model import Clause, Document

# file stem -> (region, year); any other stem gets 测试市 / 2024
REGIONS = {"wz": ("温州市", 2024), "ra": ("瑞安市", 2023), "yq": ("乐清市", 2023)}


def load_lines(path: Path) -> tuple[Document, list[Clause]]:
    """One clause per non-empty line; a file starting with "BAD" is refused like ingest/ would."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    if text.startswith("BAD"):
        raise BadFileError(f"{path}：无法识别的文件")
    region, year = REGIONS.get(path.stem, ("测试市", 2024))
    doc = Document(doc_id=path.stem, title=f"{region}{year}年政策", region=region, year=year,
                   source_path=str(path), content_hash=hashlib.sha256(data).hexdigest())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return doc, [Clause(clause_id=f"{path.stem}-{i + 1}", doc=doc, path=("一、测试",), number=str(i + 1),
                        title=line[:8], text=line, locator=str(i + 1), ordinal=i)
                 for i, line in enumerate(lines)]


@pytest.fixture
def line_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make index.build read files with `load_lines`."""
    import index.sources

    monkeypatch.setattr(index.sources, "load_file", load_lines)


WZ = """对企业短期出口信用保险保费给予不低于70%的补助经费。
支持企业出境参展，给予展位费补助。
新认定的国家级专精特新小巨人企业给予一次性奖励100万元。
"""
RA = """企业投保出口信用保险的，给予保费60%的补助，单个企业补贴不超过150万元。
实施首台套保险补偿，给予保费补助。
推进腾笼换鸟，整治低效工业用地。
"""
YQ = """推动政策性出口信用保险进一步扩责降费。
支持规上企业开展技术改造，按设备投资额给予补助。
"""


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder of three tiny policy files (温州 2024, 瑞安 2023, 乐清 2023)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in (("wz", WZ), ("ra", RA), ("yq", YQ)):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder
