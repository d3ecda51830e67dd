from index.filters import Filters, region_stem
from index.scope import blank_years, detect_scope, is_year, year_positions, years_written
from policyqa.model import STATUS_DRAFT, Document

DOCS = [Document("wz", "温州政策", region="温州市", year=2024),
        Document("ra", "瑞安方案", region="瑞安市", year=2023),
        Document("ra25", "瑞安2025", region="瑞安市", year=2025, status=STATUS_DRAFT),
        Document("yq", "乐清政策", region="乐清市", year=2023)]


def test_detect_scope_finds_regions_and_years_named():
    assert detect_scope("温州2024年出口信保补助多少", DOCS).regions == ("温州市",)
    assert detect_scope("温州2024年出口信保补助多少", DOCS).indexed_years == (2024,)
    assert detect_scope("乐清市的技改补助", DOCS).regions == ("乐清市",)
    assert detect_scope("瑞安有什么政策", DOCS).regions == ("瑞安市",)
    assert detect_scope("出口信用保险补助比例", DOCS).empty


def test_named_years_and_indexed_years_kept_apart():
    # a year no document is of is named (the answer says there is none) but not preferred by the search
    no_document = detect_scope("2019年的政策", DOCS)
    assert no_document.named_years == (2019,) and no_document.indexed_years == ()
    assert no_document.match_fraction(DOCS[0]) == 0.0
    # a bare number is preferred when a document is of it, but is not a year the question states
    bare = detect_scope("温州2024出口信保", DOCS)
    assert bare.indexed_years == (2024,) and bare.named_years == ()
    assert detect_scope("营收2000万", DOCS).empty


def test_year_helpers_read_years_written_with_nian():
    assert years_written("2023年和2024 年，以及2025", with_nian=True) == (2023, 2024)
    assert years_written("2023年和2024 年，以及2025") == (2023, 2024, 2025)
    assert year_positions("瑞安2023年新建") == {2}
    assert blank_years("瑞安2023年新建20230个") == "瑞安 新建20230个"
    assert is_year("2024年") and is_year("2024") and not is_year("20241") and not is_year("3000年")


def test_scope_match_fraction():
    scope = detect_scope("温州2024年", DOCS)
    assert scope.match_fraction(DOCS[0]) == 1.0
    assert scope.match_fraction(DOCS[1]) == 0.0
    assert detect_scope("瑞安2024年", DOCS).match_fraction(DOCS[1]) == 0.5


def test_each_region_written_beside_its_own_year_is_asked_of_that_year():
    assert set(detect_scope("乐清2023年和瑞安2025年分别多少", DOCS).pairs) == {("瑞安市", 2025), ("乐清市", 2023)}
    assert set(detect_scope("2023年乐清、2024年温州各多少", DOCS).pairs) == {("温州市", 2024), ("乐清市", 2023)}
    # a region between two years goes with the one after it
    assert set(detect_scope("温州2024年瑞安2025年", DOCS).pairs) == {("温州市", 2024), ("瑞安市", 2025)}
    # every region in every year named: nothing to pair
    assert detect_scope("瑞安2023年和2025年", DOCS).pairs == ()
    assert detect_scope("瑞安和乐清2023年各多少", DOCS).pairs == ()
    assert detect_scope("乐清2023年和温州2023年", DOCS).pairs == ()
    # a region with no year beside it ("温州著名街区") leaves every combination asked
    assert detect_scope("乐清2023年、瑞安2025年创建几条温州著名街区", DOCS).pairs == ()
    paired = detect_scope("乐清2023年和瑞安2025年", DOCS)
    assert paired.match_fraction(DOCS[2]) == 1.0 and paired.match_fraction(DOCS[1]) == 0.5


def test_filters_accept_by_each_field():
    assert region_stem("乐清市") == "乐清"
    assert [d.doc_id for d in DOCS if Filters(regions=("瑞安",)).accepts(d)] == ["ra", "ra25"]
    assert [d.doc_id for d in DOCS if Filters(years=(2023,)).accepts(d)] == ["ra", "yq"]
    assert [d.doc_id for d in DOCS if Filters(statuses=("draft",)).accepts(d)] == ["ra25"]
    assert [d.doc_id for d in DOCS if Filters(doc_ids=("wz",), years=(2023,)).accepts(d)] == []
    assert Filters().empty and all(Filters().accepts(d) for d in DOCS)
