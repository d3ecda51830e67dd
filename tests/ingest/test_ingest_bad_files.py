"""Bad files each get one clear error naming the file and why; the other files still load."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ingest.pipeline import load_clauses, load_many
from policyqa.config import BUNDLED_CORPUS
from policyqa.errors import BadFileError

from .ingest_builders import WORD_NS, build_pdf, docx_with_document_xml, entity_bomb_xml

GOOD = BUNDLED_CORPUS / "yueqing-2023-policies.txt"


def _truncated_pdf(folder: Path) -> Path:
    whole = build_pdf(["一、总体要求", "1.加大投入。市财政安排资金1亿元。"], folder / "whole.pdf")
    cut = folder / "truncated.pdf"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return cut


def _bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, words the message must contain)."""
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    blank = folder / "blank.txt"
    blank.write_text("  \n\n ", encoding="utf-8")
    binary = folder / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    unsupported = folder / "table.xlsx"
    unsupported.write_bytes(b"PK\x03\x04 not really a workbook")
    pdf_named_docx = folder / "policy.docx"
    pdf_named_docx.write_bytes(_truncated_pdf(folder).read_bytes())
    damaged_docx = folder / "damaged.docx"
    damaged_docx.write_bytes(b"PK\x03\x04\x14\x00word/document.xml truncated")
    not_a_pdf = folder / "fake.pdf"
    not_a_pdf.write_text("这不是PDF文件", encoding="utf-8")
    directory = folder / "folder.txt"
    directory.mkdir()
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    device = folder / "zero.txt"
    device.symlink_to("/dev/zero")
    loop = folder / "loop.txt"
    loop.symlink_to(loop)
    broken_link = folder / "gone.txt"
    broken_link.symlink_to(folder / "nowhere.txt")
    huge = folder / "huge.txt"
    huge.write_bytes("一".encode() * (400 * 1024))  # 1.2 MB, over the 1 MB limit of these tests
    zip_bomb = docx_with_document_xml(b"<w:document " + WORD_NS + b"><w:body><w:p><w:r><w:t>"
                                      + b"a" * (2 * 1024 * 1024) + b"</w:t></w:r></w:p></w:body></w:document>",
                                      folder / "zipbomb.docx")
    return {
        "fifo": (fifo, "命名管道"),
        "device": (device, "设备文件"),
        "link loop": (loop, "循环"),
        "broken link": (broken_link, "链接指向的文件不存在"),
        "too large": (huge, "上限"),
        "bad xml docx": (docx_with_document_xml(b"<w:document><unclosed>", folder / "badxml.docx"), "XML"),
        "entity bomb docx": (docx_with_document_xml(entity_bomb_xml(), folder / "bomb.docx"), "XML"),
        "zip bomb docx": (zip_bomb, "解压后超过"),
        "empty": (empty, "文件为空"),
        "blank": (blank, "文件为空"),
        "binary": (binary, "二进制"),
        "truncated pdf": (_truncated_pdf(folder), "不完整"),
        "unsupported": (unsupported, "不支持的文件类型"),
        "wrong extension": (pdf_named_docx, "扩展名"),
        "damaged docx": (damaged_docx, "DOCX"),
        "not a pdf": (not_a_pdf, "不是有效的 PDF"),
        "directory": (directory, "文件夹"),
        "missing": (folder / "missing.txt", "不存在"),
    }


@pytest.fixture()
def bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[Path, str]]:
    monkeypatch.setenv("POLICYQA_MAX_FILE_MB", "1")
    return _bad_files(tmp_path)


def test_each_bad_file_gets_one_clear_error(bad_files):
    for name, (path, words) in bad_files.items():
        with pytest.raises(BadFileError) as caught:
            load_clauses(path)
        message = str(caught.value)
        assert str(path) in message and words in message, (name, message)


def test_unreadable_file_says_permission_denied(tmp_path, monkeypatch):
    locked = tmp_path / "locked.txt"
    shutil.copy(GOOD, locked)
    original = Path.open

    def refuse(self: Path, *args, **kwargs):  # root reads any file: the fault is faked
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(BadFileError, match="没有读取权限"):
        load_clauses(locked)
    assert load_clauses(GOOD)  # other files are unaffected


def test_load_many_collects_errors_and_loads_the_rest(bad_files, tmp_path):
    good_copy = tmp_path / GOOD.name
    shutil.copy(GOOD, good_copy)
    paths = [path for path, _ in bad_files.values()] + [good_copy]
    loaded, errors = load_many(paths)
    assert [doc.doc_id for doc, _ in loaded] == ["yueqing-2023-policies"]
    assert len(loaded[0][1]) == len(load_clauses(GOOD))
    assert len(errors) == len(bad_files)
    assert good_copy.read_bytes() == GOOD.read_bytes()  # nothing was written


def test_text_without_structure_still_yields_prose(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("关于做好2024年春节期间安全生产工作的提示。各单位要加强值班值守。", encoding="gbk")
    clauses = load_clauses(note)
    assert len(clauses) == 1 and clauses[0].kind == "prose" and clauses[0].doc.doc_id == "note"


def test_a_file_name_that_is_not_utf8_is_read_named_and_indexed_again_as_a_no_op(tmp_path):
    import os

    from index.build import ingest_paths
    from policyqa.config import Settings

    folder = tmp_path / "docs"
    folder.mkdir()
    gbk_name = os.fsdecode(os.fsencode(str(folder)) + b"/" + "温州政策.txt".encode("gbk"))
    with open(gbk_name, "wb") as out:
        out.write("1. 支持外贸企业发展，给予补助。\n".encode())
    settings = Settings(index_dir=tmp_path / "index", embed_model="offline")
    report = ingest_paths([folder], settings)
    assert report.written and not report.errors
    assert not ingest_paths([folder], settings).written  # the name reads back the same
    from index.backend import open_index

    assert open_index(settings).documents[0].title == "温州政策"


def test_the_unsupported_type_message_lists_every_type_that_is_read(tmp_path):
    from ingest.loaders import SUPPORTED_SUFFIXES

    odd = tmp_path / "table.xlsx"
    odd.write_bytes(b"not a workbook")
    with pytest.raises(BadFileError) as raised:
        load_clauses(odd)
    assert all(suffix in str(raised.value) for suffix in SUPPORTED_SUFFIXES) and ".md" in SUPPORTED_SUFFIXES


def test_a_folder_names_each_entry_it_skips_and_each_folder_it_cannot_read(tmp_path: Path, monkeypatch) -> None:
    from index.sources import expand_paths

    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    good = folder / "good.txt"
    good.write_text("关于支持机器人产业发展的若干政策\n1. 对新引进企业给予奖励。\n", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    (folder / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path):  # root reads any folder: the refusal a non-root user gets is made here
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, errors = expand_paths([folder])
    assert files == [good.resolve()]
    said = "\n".join(str(e) for e in errors)
    for name, reason in (("pipe.txt", "命名管道"), ("zero.txt", "设备文件"), ("loop.txt", "循环"),
                         ("gone.txt", "不存在"), ("locked", "文件夹无法读取")):
        assert any(name in str(e) and reason in str(e) for e in errors), (name, said)
    # a folder that cannot be read at all is said to be unreadable, not empty
    files, errors = expand_paths([folder / "locked"])
    assert not files and "无法读取" in str(errors[0]) and "没有可读取的文件" not in str(errors[0])
