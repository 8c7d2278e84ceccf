import pytest

from toolkit.xlsx.refs import column_index, column_letter, make_range, parse_range, parse_ref


@pytest.mark.parametrize("n,letters", [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (703, "AAA"), (16384, "XFD")])
def test_column_letters_round_trip(n, letters):
    assert column_letter(n) == letters
    assert column_index(letters) == n
    assert column_index(letters.lower()) == n


def test_parse_ref_accepts_absolute_refs():
    assert parse_ref("$D$7") == (7, 4)


@pytest.mark.parametrize("bad", ["", "7D", "D0", "XFE1", "A1048577", "D7:E8"])
def test_parse_ref_rejects_bad_refs(bad):
    with pytest.raises(ValueError):
        parse_ref(bad)


def test_ranges():
    assert parse_range("C9:A1") == (1, 1, 9, 3)
    assert make_range(1, 1, 9, 3) == "A1:C9"
    assert make_range(2, 2, 2, 2) == "B2"
