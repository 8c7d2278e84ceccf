import pytest

from toolkit.model.headers import HeaderMap, find_header_row, map_columns, normalize_header

REGISTER = {
    "customer_id": ["客户编号", "Customer ID", "编号"],
    "name": ["客户名称", "Customer name", "名称"],
    "phone": ["电话", "联系电话", "Phone"],
    "first_contact": ["首次接触日期", "First contact date"],
}


# normalize_header ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["Customer ID", "customer_id", "ＣＵＳＴＯＭＥＲ　ＩＤ", "customer-id", "Customer.ID", " CUSTOMER ID "]
)
def test_latin_header_spellings_normalise_alike(raw):
    assert normalize_header(raw) == "customerid"


@pytest.mark.parametrize("raw", ["客户编号", "客户编号 ", "\u3000客户编号", "客户\n编号", "客户 编号", "客户_编号"])
def test_chinese_header_spellings_normalise_alike(raw):
    assert normalize_header(raw) == "客户编号"


def test_header_punctuation_is_removed():
    assert normalize_header("金额（元）") == "金额元"
    assert normalize_header("金额(元)") == "金额元"
    assert normalize_header("日期：") == "日期"
    assert normalize_header("日期:") == "日期"
    assert normalize_header("电话/手机") == "电话手机"
    assert normalize_header("路径\\名称") == "路径名称"


def test_other_characters_are_kept():
    assert normalize_header("满意度%") == "满意度%"
    assert normalize_header("No.1") == "no1"


def test_empty_and_non_text_headers():
    assert normalize_header(None) == ""
    assert normalize_header("") == ""
    assert normalize_header("  \n ") == ""
    assert normalize_header(2025.0) == "2025"
    assert normalize_header(7) == "7"


# find_header_row -------------------------------------------------------------------------------


def test_header_row_on_the_first_row():
    rows = [["客户编号", "客户名称", "电话"], ["C001", "甲公司", "138"]]
    assert find_header_row(rows, REGISTER) == 0


def test_title_rows_above_the_header_are_skipped():
    rows = [
        ["客户台账 2025", None, None, None],
        [None, None, None, None],
        ["制表：张三", None, "日期：2025-03-05", None],
        ["客户编号", "客户名称", "联系电话", "备注"],
        ["C001", "甲公司", "138", ""],
    ]
    assert find_header_row(rows, REGISTER) == 3


def test_header_row_with_line_breaks_and_full_width_text():
    rows = [["客户台账"], ["客户\n编号", "ＣＵＳＴＯＭＥＲ　ＮＡＭＥ", "Phone "]]
    assert find_header_row(rows, REGISTER) == 1


def test_the_row_matching_the_most_columns_wins():
    rows = [
        ["编号", "名称", None],  # a small key table above the register
        ["客户编号", "客户名称", "电话", "首次接触日期"],
    ]
    assert find_header_row(rows, REGISTER) == 1


def test_the_first_of_equally_good_rows_wins():
    rows = [["客户编号", "客户名称"], ["客户编号", "客户名称"]]
    assert find_header_row(rows, REGISTER) == 0


def test_one_matching_column_is_not_enough():
    rows = [["客户编号", "something", "else"], ["C001", "x", "y"]]
    assert find_header_row(rows, REGISTER) is None


def test_a_single_expected_column_needs_just_that_column():
    assert find_header_row([["title"], ["x", "客户编号"]], {"customer_id": ["客户编号"]}) == 1


def test_the_same_column_twice_counts_once():
    rows = [["客户编号", "编号", "x"]]
    assert find_header_row(rows, REGISTER) is None


def test_header_row_beyond_max_scan_is_not_found():
    rows = [["title"]] * 5 + [["客户编号", "客户名称"]]
    assert find_header_row(rows, REGISTER, max_scan=5) is None
    assert find_header_row(rows, REGISTER, max_scan=6) == 5
    assert find_header_row(rows, REGISTER) == 5


def test_no_header_row_in_an_empty_or_unrelated_sheet():
    assert find_header_row([], REGISTER) is None
    assert find_header_row([[None, None], [], [1.0, 2.0]], REGISTER) is None
    assert find_header_row([["客户编号", "客户名称"]], {}) is None


def test_numbers_and_dates_in_rows_are_tolerated():
    from datetime import datetime

    rows = [[2025.0, datetime(2025, 3, 5), True], ["客户编号", 3, "客户名称"]]
    assert find_header_row(rows, REGISTER) == 1


# map_columns -----------------------------------------------------------------------------------


def test_columns_map_to_canonical_names():
    result = map_columns(["客户编号", "客户名称", "电话", "首次接触日期"], REGISTER)
    assert result == HeaderMap(
        columns={"customer_id": 0, "name": 1, "phone": 2, "first_contact": 3},
        duplicates={},
        unknown={},
        missing=[],
    )


def test_columns_map_through_aliases_and_spelling_variants():
    result = map_columns(["customer_id", "客户\n名称", "ＰＨＯＮＥ", "First-Contact Date"], REGISTER)
    assert result.columns == {"customer_id": 0, "name": 1, "phone": 2, "first_contact": 3}


def test_missing_columns_are_listed_in_expected_order():
    result = map_columns(["电话", "客户编号"], REGISTER)
    assert result.columns == {"phone": 0, "customer_id": 1}
    assert result.missing == ["name", "first_contact"]


def test_unknown_columns_are_kept_with_their_header_text():
    result = map_columns(["客户编号", "备注", "客户名称", "内部\n标记", 2025.0], REGISTER)
    assert result.unknown == {1: "备注", 3: "内部 标记", 4: "2025"}
    assert result.columns == {"customer_id": 0, "name": 2}


def test_empty_header_cells_are_neither_known_nor_unknown():
    result = map_columns([None, "客户编号", "", "  ", "\u3000", "客户名称"], REGISTER)
    assert result.columns == {"customer_id": 1, "name": 5}
    assert result.unknown == {}


def test_duplicate_columns_keep_the_first_and_list_all():
    result = map_columns(["客户编号", "客户名称", "Customer ID", "电话", "编号"], REGISTER)
    assert result.columns["customer_id"] == 0
    assert result.duplicates == {"customer_id": [0, 2, 4]}
    assert result.unknown == {}


def test_the_same_header_twice_is_a_duplicate():
    result = map_columns(["电话", "电话"], REGISTER)
    assert result.columns == {"phone": 0}
    assert result.duplicates == {"phone": [0, 1]}


def test_a_header_text_listed_for_two_columns_is_refused():
    bad = {"phone": ["电话"], "mobile": ["电话 "]}
    with pytest.raises(ValueError):
        map_columns(["电话"], bad)
    with pytest.raises(ValueError):
        find_header_row([["电话"]], bad)


def test_no_header_cells_means_everything_is_missing():
    result = map_columns([], REGISTER)
    assert result.columns == {} and result.unknown == {} and result.duplicates == {}
    assert result.missing == ["customer_id", "name", "phone", "first_contact"]


def test_find_then_map_a_tracker_sheet():
    tracker = {
        "complaint_no": ["投诉编号"],
        "received_at": ["受理时间"],
        "channel": ["渠道"],
        "customer_id": ["客户编号"],
    }
    rows = [
        ["投诉跟踪表（2025年3月）"],
        ["投诉编号", "受理时间", "渠道", "处理人", "客户编号"],
        ["T001", 45721.6, "电话", "李四", "C001"],
    ]
    index = find_header_row(rows, tracker)
    assert index == 1
    result = map_columns(rows[index], tracker)
    assert result.columns == {"complaint_no": 0, "received_at": 1, "channel": 2, "customer_id": 4}
    assert result.unknown == {3: "处理人"}
    assert result.missing == []
