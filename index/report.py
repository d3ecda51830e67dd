"""What an ingest did, for the user (Chinese summary) and for tests (fields)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class IngestReport:
    """Files added/updated/unchanged/removed, clause and piece counts, embedder, time and errors."""

    index_dir: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_after_error: list[str] = field(default_factory=list)  # bad now, previous clauses kept
    clause_count: int = 0
    embedded_pieces: int = 0  # pieces embedded in this run (0 when nothing changed)
    embedder: str = ""
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    written: bool = False  # False when the index was already up to date

    def summary(self) -> str:
        """One to a few lines in Chinese."""
        head = "索引已更新" if self.written else "索引已是最新，无需改动"
        lines = [
            f"{head}：{self.index_dir}",
            f"文件：新增 {len(self.added)}，更新 {len(self.updated)}，未变 {len(self.unchanged)}，"
            f"移除 {len(self.removed)}；条款共 {self.clause_count} 条，本次嵌入 {self.embedded_pieces} 段；"
            f"嵌入模型 {self.embedder}；用时 {self.seconds:.2f} 秒",
        ]
        if self.removed:
            lines.append("已移除：" + "、".join(Path(p).name for p in self.removed))
        if self.kept_after_error:
            lines.append("以下文件读取失败，保留其原有条款：" + "、".join(self.kept_after_error))
        lines.extend(f"提示：{notice}" for notice in self.notices)
        lines.extend(f"错误：{error}" for error in self.errors)
        return "\n".join(lines)
