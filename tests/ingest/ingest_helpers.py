"""Small helpers shared by the ingest tests."""
from __future__ import annotations

from policyqa.model import Clause

CN = "零一二三四五六七八九"


def cn_numeral(value: int) -> str:
    """48 -> 四十八 (written independently of ingest.structure, to check it)."""
    if value < 10:
        return CN[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def measures(clauses: list[Clause]) -> list[Clause]:
    return [clause for clause in clauses if clause.kind == "measure"]


def by_locator(clauses: list[Clause]) -> dict[str, Clause]:
    return {clause.locator: clause for clause in clauses}


def shape(clauses: list[Clause]) -> list[tuple]:
    """What must not change between formats: everything a clause says, not where the file was."""
    return [(c.clause_id.split(":", 1)[1], c.path, c.number, c.title, c.text, c.responsible_units,
             c.lead_unit, c.lead_department, c.kind) for c in clauses]
