from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.i18n import use_language
from toolkit.model.values import KINDS, normalize_text, parse_value

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

CHANNELS = ["电话", "邮件", "在线"]


def ok(raw, kind, **kw):
    value, error = parse_value(raw, kind, **kw)
    assert error is None, f"{raw!r} as {kind}: unexpected error {error!r}"
    assert value is not None, f"{raw!r} as {kind}: parsed as empty"
    return value


def fails(raw, kind, **kw):
    value, error = parse_value(raw, kind, **kw)
    assert value is None, f"{raw!r} as {kind}: expected an error, got {value!r}"
    assert isinstance(error, str) and error, f"{raw!r} as {kind}: no reason given"
    return error


# Empty cells ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "\xa0", " \t\n ", "\u200b"])
def test_empty_cells_are_empty_not_errors(raw, kind):
    assert parse_value(raw, kind, choices=CHANNELS) == (None, None)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_value("x", "colour")
    with pytest.raises(ValueError):
        parse_value(1.5, "colour")


# Text ----------------------------------------------------------------------------------------


def test_text_is_returned_as_typed():
    assert ok("张三有限公司", "text") == "张三有限公司"


@pytest.mark.parametrize(
    "raw",
    [" 张三 ", "\u3000张三\u3000", "\xa0张三\xa0", "\t张三\n", "\ufeff张三", "张三\u200b"],
)
def test_text_strips_ordinary_full_width_and_non_breaking_spaces(raw):
    assert ok(raw, "text") == "张三"


def test_text_keeps_inner_spaces_and_full_width_characters():
    assert ok(" 北京 ＡＢＣ  公司 ", "text") == "北京 ＡＢＣ  公司"


@pytest.mark.parametrize(
    "raw,expected", [(10023.0, "10023"), (0.0, "0"), (-5.0, "-5"), (1e20, "100000000000000000000")]
)
def test_text_of_whole_number_ids_has_no_trailing_point_zero(raw, expected):
    assert ok(raw, "text") == expected


@pytest.mark.parametrize("raw,expected", [(0.1, "0.1"), (12.5, "12.5"), (1 / 3, "0.3333333333333333")])
def test_text_of_fractional_numbers_is_the_shortest_exact_form(raw, expected):
    assert ok(raw, "text") == expected


def test_text_of_integers_and_yes_no_values():
    assert ok(10023, "text") == "10023"
    assert ok(True, "text") == "TRUE"
    assert ok(False, "text") == "FALSE"


def test_text_of_dates_and_times():
    assert ok(datetime(2025, 3, 5), "text") == "2025-03-05"
    assert ok(datetime(2025, 3, 5, 14, 30), "text") == "2025-03-05 14:30:00"
    assert ok(date(2025, 3, 5), "text") == "2025-03-05"
    assert ok(time(14, 30), "text") == "14:30:00"


# normalize_text --------------------------------------------------------------------------------


def test_normalize_text_turns_full_width_into_half_width():
    assert normalize_text("ＡＢＣ１２３（）") == "ABC123()"


def test_normalize_text_strips_and_collapses_whitespace():
    assert normalize_text("\u3000客户\n\n编号  \t ") == "客户 编号"
    assert normalize_text("  a   b  ") == "a b"


def test_normalize_text_of_empty_and_non_text_values():
    assert normalize_text(None) == ""
    assert normalize_text("") == ""
    assert normalize_text(2025.0) == "2025"
    assert normalize_text("\u200b") == ""


# Integers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        (42, 42),
        (42.0, 42),
        (-3.0, -3),
        ("42", 42),
        (" 12 ", 12),
        ("12.0", 12),
        ("12.", 12),
        ("1,234", 1234),
        ("1,234,567", 1234567),
        ("-1,234", -1234),
        ("+7", 7),
        ("007", 7),
        ("１２３", 123),
        ("１，２３４", 1234),
        ("１２．０", 12),
        ("\u3000１２\u3000", 12),
        ("−5", -5),
        (Decimal("12.00"), 12),
    ],
)
def test_whole_numbers_in_every_accepted_form(raw, expected):
    value = ok(raw, "integer")
    assert value == expected and type(value) is int


@pytest.mark.parametrize("raw", ["12.5", 12.5, "1,234.5", Decimal("0.5")])
def test_fractions_are_not_whole_numbers(raw):
    assert fails(raw, "integer") == "not a whole number"


@pytest.mark.parametrize("raw", [True, False])
def test_yes_no_values_are_not_numbers(raw):
    assert fails(raw, "integer").startswith("not a number")
    assert fails(raw, "decimal").startswith("not a number")


@pytest.mark.parametrize("raw", ["abc", "12a", "1e3", "12 34", "--1", "¥12", float("nan"), float("inf")])
def test_garbage_is_not_a_number(raw):
    assert fails(raw, "integer") == "not a number"


def test_misplaced_thousands_separators_are_reported():
    assert "thousands" in fails("12,34", "integer")
    assert "thousands" in fails("1,2345", "decimal")


def test_dates_are_not_numbers():
    assert fails(datetime(2025, 3, 5), "integer") == "not a number (it is the date and time 2025-03-05)"
    assert fails(date(2025, 3, 5), "decimal") == "not a number (it is the date 2025-03-05)"
    with use_language("zh"):
        assert fails(date(2025, 3, 5), "decimal") == "不是数字（而是日期 2025-03-05）"


# Decimals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        (0.1, "0.1"),
        (1234.5, "1234.5"),
        (0.30000000000000004, "0.30000000000000004"),
        (12, "12"),
        ("12", "12"),
        ("1234.50", "1234.50"),
        (" -0.5 ", "-0.5"),
        (".5", "0.5"),
        ("1,234.56", "1234.56"),
        ("¥1,234.50", "1234.50"),
        ("￥88", "88"),
        ("$ 12.30", "12.30"),
        ("100元", "100"),
        ("¥100元", "100"),
        ("-¥5", "-5"),
        ("¥-5", "-5"),
        ("１，２３４．５", "1234.5"),
        ("￥１２３４．５元", "1234.5"),
        (Decimal("2.50"), "2.50"),
    ],
)
def test_decimals_in_every_accepted_form(raw, expected):
    value = ok(raw, "decimal")
    assert type(value) is Decimal
    assert str(value) == expected


def test_float_decimals_have_no_binary_noise():
    assert ok(0.1, "decimal") == Decimal("0.1")
    assert ok(19.99, "decimal") == Decimal("19.99")


@pytest.mark.parametrize("raw", ["abc", "12元5", "1.2.3", "-¥-5", "1e5", float("nan"), float("-inf")])
def test_garbage_is_not_a_decimal(raw):
    assert fails(raw, "decimal") == "not a number"


def test_percentages_are_refused_with_a_hint():
    assert "percent" in fails("15%", "decimal")


def test_ten_thousand_units_are_refused_with_a_hint():
    assert "50000" in fails("5万", "decimal")


# Dates -----------------------------------------------------------------------------------------

MARCH_5 = date(2025, 3, 5)


def test_dates_from_excel_date_cells():
    assert ok(datetime(2025, 3, 5), "date") == MARCH_5
    assert ok(date(2025, 3, 5), "date") == MARCH_5


def test_date_cells_with_a_time_keep_the_date_part():
    assert ok(datetime(2025, 3, 5, 14, 30), "date") == MARCH_5


@pytest.mark.parametrize("raw", ["2025-03-05", "2025-3-5", "2025/3/5", "2025/03/05", "2025.3.5", "2025.03.05"])
def test_dates_typed_year_month_day_with_separators(raw):
    assert ok(raw, "date") == MARCH_5


@pytest.mark.parametrize("raw", ["2025年3月5日", "2025年03月05日", "2025年3月5号", "2025 年 3 月 5 日", "2025年3月5"])
def test_dates_typed_with_chinese_year_month_day(raw):
    assert ok(raw, "date") == MARCH_5


def test_dates_typed_as_eight_digits():
    assert ok("20250305", "date") == MARCH_5


def test_dates_typed_as_an_eight_digit_number():
    # A cell not formatted as a date holds the number 20250305; serial numbers stop at 2958465.
    assert ok(20250305, "date") == MARCH_5
    assert ok(20250305.0, "datetime") == datetime(2025, 3, 5)
    assert fails(20250230, "date") == "no such date: 2025-02-30"


@pytest.mark.parametrize(
    "raw", ["２０２５年３月５日", "２０２５－０３－０５", "２０２５／３／５", "２０２５０３０５", "2025年３月５日"]
)
def test_dates_typed_with_full_width_digits(raw):
    assert ok(raw, "date") == MARCH_5


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03-05 14:30",
        "2025/3/5 14:30:15",
        "2025-03-05T14:30",
        "2025年3月5日 14:30",
        "2025年3月5日14时30分",
        "20250305 14:30",
    ],
)
def test_dates_followed_by_a_time_keep_the_date(raw):
    assert ok(raw, "date") == MARCH_5


@pytest.mark.parametrize(
    "serial,expected",
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (45658, date(2025, 1, 1)),
        (45721, date(2025, 3, 5)),
        (45658.0, date(2025, 1, 1)),
        (45658.75, date(2025, 1, 1)),
        (73415, date(2100, 12, 31)),  # the calendar's last day (toolkit/calendar/reach.py)
    ],
)
def test_dates_from_excel_serial_numbers(serial, expected):
    assert ok(serial, "date") == expected


@pytest.mark.parametrize(
    "raw,kind",
    [
        (2958465, "date"),  # Excel's last day, 9999-12-31
        (2958465.9583, "datetime"),
        (73416, "date"),  # 2101-01-01
        ("9999-12-31", "date"),
        ("9999-12-31 23:00", "datetime"),
        ("9999年12月31日", "date"),
        (99991231, "date"),
        (datetime(9999, 12, 31, 23, 0), "datetime"),
        (datetime(9999, 12, 31, 23, 0), "date"),
        (date(2101, 1, 1), "datetime"),
    ],
)
def test_dates_beyond_the_calendars_reach_are_refused_in_every_form(raw, kind):
    assert "2100-12-31" in fails(raw, kind)


def test_dates_from_serial_numbers_in_the_1904_date_system():
    assert ok(0, "date", date1904=True) == date(1904, 1, 1)
    assert ok(44196, "date", date1904=True) == date(2025, 1, 1)
    assert ok(44196.75, "datetime", date1904=True) == datetime(2025, 1, 1, 18, 0)
    assert ok(71953, "date", date1904=True) == date(2100, 12, 31)
    assert "2100-12-31" in fails(2957003, "date", date1904=True)  # 9999-12-31
    assert fails(2957004, "date", date1904=True)


def test_excel_fake_leap_day_1900_is_refused():
    assert "1900-02-29" in fails(60, "date")
    assert "1900-02-29" in fails(60.5, "datetime")


@pytest.mark.parametrize("serial", [0, -1, 2958466, 12345678, -45658.5])
def test_serial_numbers_outside_excels_date_range_are_refused(serial):
    assert "outside Excel's date range" in fails(serial, "date")


@pytest.mark.parametrize("raw", [float("nan"), float("inf")])
def test_non_finite_numbers_are_not_dates(raw):
    assert fails(raw, "date") == "not a date"


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("2025-02-30", "no such date: 2025-02-30"),
        ("2025年2月29日", "no such date: 2025-02-29"),
        ("2025-13-01", "no such date: 2025-13-01"),
        ("2025/4/31", "no such date: 2025-04-31"),
        ("20250230", "no such date: 2025-02-30"),
        ("2025-00-10", "no such date: 2025-00-10"),
        ("1900-02-29", "no such date: 1900-02-29"),
    ],
)
def test_impossible_date_is_reported_not_guessed(raw, reason):
    assert fails(raw, "date") == reason
    assert fails(raw, "datetime") == reason


def test_leap_day_in_a_leap_year_is_fine():
    assert ok("2024-02-29", "date") == date(2024, 2, 29)


@pytest.mark.parametrize(
    "raw", ["3/5/2025", "05/03/25", "5-3-2025", "25/03/05", "25-3-5", "25.03.05", "25年3月5日", "05/03/2025 14:30"]
)
def test_ambiguous_day_month_order_or_two_digit_year_is_refused(raw):
    reason = fails(raw, "date")
    assert "year-month-day" in reason
    assert "year-month-day" in fails(raw, "datetime")


def test_date_without_a_year_is_refused():
    assert "no year" in fails("3月5日", "date")


def test_dates_before_1900_are_refused():
    assert "1900" in fails("0202-03-05", "date")
    assert "1900" in fails("1899-12-31", "date")


@pytest.mark.parametrize(
    "raw", ["abc", "2025", "2025-03", "2025-03-05-01", "2025-03/05", "明天", "45658", "二〇二五年三月五日"]
)
def test_text_that_is_not_a_date_says_what_is_expected(raw):
    assert fails(raw, "date") == "not a date (expected e.g. 2025-03-05 or 2025/3/5)"
    with use_language("zh"):
        assert fails(raw, "date") == "不是日期（应写成 2025-03-05 或 2025年3月5日 这样）"


def test_garbage_after_a_date_is_reported():
    assert "not a time of day" in fails("2025-03-05 soon", "date")
    assert "not a time of day" in fails("2025-03-05 abc", "datetime")


@pytest.mark.parametrize("raw", [True, False])
def test_yes_no_values_are_not_dates(raw):
    assert fails(raw, "date").startswith("not a date")


def test_time_without_a_date_is_refused():
    assert fails(time(14, 30), "date") == "a time without a date"
    assert fails(time(14, 30), "datetime") == "a time without a date"
    assert fails("14:30", "datetime") == "a time without a date"
    assert fails("下午2:30", "date") == "a time without a date"
    assert fails(0.5, "datetime") == "a time without a date"


# Date and time ---------------------------------------------------------------------------------


def test_datetimes_from_excel_cells():
    assert ok(datetime(2025, 3, 5, 14, 30), "datetime") == datetime(2025, 3, 5, 14, 30)
    assert ok(date(2025, 3, 5), "datetime") == datetime(2025, 3, 5, 0, 0)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2025-03-05 14:30", datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05 14:30:15", datetime(2025, 3, 5, 14, 30, 15)),
        ("2025-03-05T14:30:15", datetime(2025, 3, 5, 14, 30, 15)),
        ("2025/3/5 9:05", datetime(2025, 3, 5, 9, 5)),
        ("2025.3.5  14:30", datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05 14:30:15.250", datetime(2025, 3, 5, 14, 30, 15, 250000)),
        ("2025年3月5日 14:30", datetime(2025, 3, 5, 14, 30)),
        ("2025年3月5日14:30", datetime(2025, 3, 5, 14, 30)),
        ("2025年3月5 14:30", datetime(2025, 3, 5, 14, 30)),
        ("20250305 14:30", datetime(2025, 3, 5, 14, 30)),
        ("20250305T14:30:00", datetime(2025, 3, 5, 14, 30)),
    ],
)
def test_datetimes_typed_with_colon_times(raw, expected):
    assert ok(raw, "datetime") == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2025年3月5日 14时30分", datetime(2025, 3, 5, 14, 30)),
        ("2025年3月5日14时30分15秒", datetime(2025, 3, 5, 14, 30, 15)),
        ("2025年3月5日 14时", datetime(2025, 3, 5, 14, 0)),
        ("2025年3月5日 14点", datetime(2025, 3, 5, 14, 0)),
        ("2025年3月5日 14点30分", datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05 14点30", datetime(2025, 3, 5, 14, 30)),
    ],
)
def test_datetimes_typed_with_chinese_hours_and_minutes(raw, expected):
    assert ok(raw, "datetime") == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2025-03-05 下午2:30", datetime(2025, 3, 5, 14, 30)),
        ("2025年3月5日下午2:30", datetime(2025, 3, 5, 14, 30)),
        ("2025年3月5日 上午9:00", datetime(2025, 3, 5, 9, 0)),
        ("2025年3月5日 下午3点", datetime(2025, 3, 5, 15, 0)),
        ("2025-03-05 下午12:30", datetime(2025, 3, 5, 12, 30)),
        ("2025-03-05 下午14:30", datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05 晚上8点", datetime(2025, 3, 5, 20, 0)),
        ("2025-03-05 凌晨2点", datetime(2025, 3, 5, 2, 0)),
        ("2025-03-05 早上8:15", datetime(2025, 3, 5, 8, 15)),
        ("2025-03-05 中午12点", datetime(2025, 3, 5, 12, 0)),
        ("2025-03-05 中午1点", datetime(2025, 3, 5, 13, 0)),
        ("2025-03-05 2:30 PM", datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05 2:30pm", datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05 9:00 AM", datetime(2025, 3, 5, 9, 0)),
        ("2025-03-05 12:30 AM", datetime(2025, 3, 5, 0, 30)),
        ("2025-03-05 12:30 PM", datetime(2025, 3, 5, 12, 30)),
    ],
)
def test_datetimes_typed_with_chinese_am_pm(raw, expected):
    assert ok(raw, "datetime") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03-05 上午12:30",
        "2025-03-05 上午14:30",
        "2025-03-05 晚上12点",
        "2025-03-05 下午2:30 PM",
        "2025-03-05 13:00 AM",
    ],
)
def test_unclear_am_pm_times_are_refused(raw):
    assert "24-hour clock" in fails(raw, "datetime")


@pytest.mark.parametrize(
    "raw,shown",
    [
        ("2025-03-05 24:00", "24:00"),
        ("2025-03-05 14:60", "14:60"),
        ("2025-03-05 14:30:61", "14:30:61"),
        ("2025年3月5日 25时", "25时"),
    ],
)
def test_impossible_times_are_refused(raw, shown):
    assert fails(raw, "datetime") == f"no such time: {shown}"


def test_date_only_text_is_midnight():
    assert ok("2025-03-05", "datetime") == datetime(2025, 3, 5, 0, 0)
    assert ok("2025年3月5日", "datetime") == datetime(2025, 3, 5, 0, 0)


def test_datetime_with_full_width_digits_and_colon():
    assert ok("２０２５年３月５日　１４：３０", "datetime") == datetime(2025, 3, 5, 14, 30)


@pytest.mark.parametrize(
    "serial,expected",
    [
        (45658.75, datetime(2025, 1, 1, 18, 0)),
        (45658, datetime(2025, 1, 1, 0, 0)),
        (45658.5, datetime(2025, 1, 1, 12, 0)),
        (45658.60416667, datetime(2025, 1, 1, 14, 30)),  # 14:30:00.0003, rounded to the second
        (45658.999999999, datetime(2025, 1, 2, 0, 0)),  # rounds up into the next day
        (1.25, datetime(1900, 1, 1, 6, 0)),
        (61.5, datetime(1900, 3, 1, 12, 0)),
    ],
)
def test_datetimes_from_excel_serial_numbers_round_to_the_second(serial, expected):
    assert ok(serial, "datetime") == expected


def test_not_a_datetime_says_what_is_expected():
    assert fails("abc", "datetime") == "not a date and time (expected e.g. 2025-03-05 14:30 or 2025/3/5 14:30)"
    with use_language("zh"):
        assert fails("abc", "datetime") == "不是日期时间（应写成 2025-03-05 14:30 或 2025年3月5日 14:30 这样）"


def test_time_zones_are_not_accepted():
    assert fails("2025-03-05T14:30+08:00", "datetime").startswith("not a time of day")


# Choices ---------------------------------------------------------------------------------------

ALIASES = {"phone": "电话", "Email": "邮件", "E-mail": "邮件", "网上": "在线"}


def test_choice_exact_match():
    assert ok("电话", "choice", choices=CHANNELS) == "电话"


@pytest.mark.parametrize("raw", [" 电话 ", "\u3000电话", "电话\xa0"])
def test_choice_ignores_surrounding_spaces(raw):
    assert ok(raw, "choice", choices=CHANNELS) == "电话"


def test_choice_is_case_insensitive_and_full_width_tolerant():
    choices = ["VIP", "Normal"]
    assert ok("vip", "choice", choices=choices) == "VIP"
    assert ok("ＶＩＰ", "choice", choices=choices) == "VIP"
    assert ok("NORMAL", "choice", choices=choices) == "Normal"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("phone", "电话"),
        ("PHONE", "电话"),
        ("ｐｈｏｎｅ", "电话"),
        ("email", "邮件"),
        ("e-mail", "邮件"),
        ("网上", "在线"),
    ],
)
def test_choice_aliases_map_to_the_official_value(raw, expected):
    assert ok(raw, "choice", choices=CHANNELS, choice_aliases=ALIASES) == expected


def test_choice_rejection_lists_the_allowed_values():
    assert fails("传真", "choice", choices=CHANNELS, choice_aliases=ALIASES) == "not one of: 电话, 邮件, 在线"
    assert fails("phone", "choice", choices=CHANNELS) == "not one of: 电话, 邮件, 在线"


def test_choice_of_numbers_from_number_cells():
    scores = ["1", "2", "3", "4", "5"]
    assert ok(5.0, "choice", choices=scores) == "5"
    assert ok(4, "choice", choices=scores) == "4"
    assert fails(4.5, "choice", choices=scores) == "not one of: 1, 2, 3, 4, 5"


def test_choice_without_choices_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_value("电话", "choice")


def test_choice_alias_to_an_unknown_value_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_value("fax", "choice", choices=CHANNELS, choice_aliases={"fax": "传真"})


# Properties ------------------------------------------------------------------------------------

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(DATES)
def test_property_chinese_dates_parse_back(d):
    assert parse_value(f"{d.year}年{d.month}月{d.day}日", "date") == (d, None)
    assert parse_value(f"{d.year}/{d.month}/{d.day}", "date") == (d, None)


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)), st.integers(0, 86399))
def test_property_excel_serials_parse_back(d, seconds):
    serial = (d - date(1899, 12, 30)).days
    expected = datetime.combine(d, time(seconds // 3600, seconds // 60 % 60, seconds % 60))
    assert parse_value(serial, "date") == (d, None)
    assert parse_value(serial + seconds / 86400, "datetime") == (expected, None)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_property_integers_with_thousands_separators_parse_back(n):
    assert parse_value(f"{n:,}", "integer") == (n, None)
    assert parse_value(f"{n:,}", "decimal") == (Decimal(n), None)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_property_money_amounts_parse_back(amount):
    assert parse_value(f"¥{amount:,.2f}", "decimal") == (amount, None)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_property_float_decimals_match_their_shortest_repr(f):
    assert parse_value(f, "decimal") == (Decimal(repr(f)), None)
