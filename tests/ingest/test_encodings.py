"""Text files in the encodings they come in: detected reliably, a few bad bytes repaired, binaries refused."""
from __future__ import annotations

import logging

import pytest

from ingest.load_txt import decode_text
from policyqa.config import BUNDLED_CORPUS
from policyqa.errors import BadFileError

TEXT = (BUNDLED_CORPUS / "wenzhou-2024-policies.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "utf-16"])
def test_chinese_encodings_are_told_apart(encoding: str) -> None:
    raw = TEXT.encode(encoding, errors="ignore") if encoding != "utf-16" else TEXT.encode("utf-16")
    assert decode_text(raw, "x.txt")[:200] == raw.decode(encoding)[:200].lstrip("\ufeff")


def test_latin1_is_not_read_as_chinese() -> None:
    text = "Politique de soutien, déjà versée à 60 %. " * 20
    assert decode_text(text.encode("latin-1"), "x.txt") == text


def test_a_few_damaged_utf8_bytes_are_repaired_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    raw = bytearray(TEXT.encode("utf-8"))
    raw[100], raw[5000] = 0xFF, 0xFE
    with caplog.at_level(logging.WARNING):
        text = decode_text(bytes(raw), "damaged.txt")
    assert "\ufffd" in text and "温政办〔2024〕11号" in text
    assert "damaged.txt" in caplog.text


def test_real_binaries_are_refused() -> None:
    with pytest.raises(BadFileError, match="二进制"):
        decode_text(bytes(range(256)) * 40, "x.txt")


def test_a_big5_document_answers_a_simplified_question_quoting_its_own_text(tmp_path) -> None:
    from app.service import AnswerService
    from index.build import ingest_paths
    from policyqa.config import load_settings

    big5 = tmp_path / "big5-policy.txt"
    big5.write_bytes("某市促進外貿若干政策\n1. 加大外貿支持力度。企業投保出口信用保險的，給予保費60%的補助。\n"
                     "2. 支持企業上市。\n".encode("big5"))
    settings = load_settings({}).with_overrides(index_dir=tmp_path / "index", embed_model="offline")
    ingest_paths([big5], settings)
    answer = AnswerService(settings).ask("外贸企业出口信用保险补助比例是多少")
    assert answer.found and "60%" in answer.text
    assert answer.citations[0].quote in answer.citations[0].clause.text and "補助" in answer.citations[0].quote


def test_utf16_without_a_byte_order_mark_and_a_few_bad_utf8_bytes_are_read() -> None:
    from ingest.load_txt import decode_text

    text = "瑞安市人民政府关于印发政策的通知\n1. 对企业给予补助50万元。\n"
    for codec in ("utf-16-le", "utf-16-be"):
        assert decode_text(text.encode(codec), "x.txt") == text
    damaged = bytearray(text.encode("utf-8"))
    damaged[3] = 0xFF  # a couple of bad bytes in a short file: damage, not another encoding
    damaged[30] = 0xFE
    repaired = decode_text(bytes(damaged), "x.txt")
    assert "\ufffd" in repaired and "补助50万元" in repaired


def test_a_file_that_is_no_text_says_what_was_tried_and_how_to_convert() -> None:
    from ingest.load_txt import decode_text
    from policyqa.errors import BadFileError

    with pytest.raises(BadFileError) as refused:
        decode_text(bytes(range(256)) * 8, "x.txt")
    assert "UTF-16" in str(refused.value) and "GB18030" in str(refused.value) and "UTF-8" in str(refused.value)
    assert "另存为" in str(refused.value)
