"""Property tests of CSV codes: format, entropy, normalisation and typo detection."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from core.documents.csvcode import (
    ALPHABET,
    CSV_LENGTH,
    ENTROPY_BITS,
    InvalidCsv,
    is_valid_csv,
    new_csv,
    normalize_csv,
)

positions = st.integers(min_value=0, max_value=24)


@st.composite
def csv_codes(draw: st.DrawFn) -> str:
    """Valid CSV codes: hypothesis cannot drive `secrets`, so build them from drawn symbols."""
    body = "".join(draw(st.lists(st.sampled_from(ALPHABET), min_size=24, max_size=24)))
    for check in ALPHABET:
        if is_valid_csv(body + check):
            return normalize_csv(body + check)
    raise AssertionError(f"no check character completes {body}")


def symbols(code: str) -> str:
    return code.replace("-", "")


def test_new_csv_shape() -> None:
    code = new_csv()
    assert len(code) == CSV_LENGTH <= 40
    groups = code.split("-")
    assert [len(g) for g in groups] == [5, 5, 5, 5, 5]
    assert set(symbols(code)) <= set(ALPHABET)
    assert not set("ILOU") & set(code)
    assert normalize_csv(code) == code
    assert ENTROPY_BITS >= 100


def test_new_csv_uses_whole_alphabet_at_every_position() -> None:
    codes = [symbols(new_csv()) for _ in range(3000)]
    assert len(set(codes)) == len(codes)
    for position in range(24):
        assert {code[position] for code in codes} == set(ALPHABET), position


@given(csv_codes())
def test_exactly_one_check_character(code: str) -> None:
    body = symbols(code)[:-1]
    assert sum(is_valid_csv(body + check) for check in ALPHABET) == 1


@given(csv_codes(), st.data())
def test_forgiving_reader(code: str, data: st.DataObject) -> None:
    typed = "".join(
        data.draw(st.sampled_from([s.lower(), s, f" {s}", f"{s}-", f"{s}\u2011"]))
        for s in symbols(code)
    )
    typed = typed.replace("0", data.draw(st.sampled_from("0Oo"))).replace(
        "1", data.draw(st.sampled_from("1IiLl"))
    )
    assert normalize_csv(typed) == code


@given(csv_codes(), positions, st.sampled_from(ALPHABET))
def test_every_single_substitution_is_caught(code: str, position: int, symbol: str) -> None:
    chars = list(symbols(code))
    if chars[position] == symbol:
        return
    chars[position] = symbol
    assert not is_valid_csv("".join(chars))


@given(csv_codes(), positions, positions)
def test_every_transposition_is_caught(code: str, first: int, second: int) -> None:
    chars = list(symbols(code))
    if chars[first] == chars[second]:
        return
    chars[first], chars[second] = chars[second], chars[first]
    assert not is_valid_csv("".join(chars))


@given(csv_codes(), positions)
def test_missing_or_extra_character_is_caught(code: str, position: int) -> None:
    chars = symbols(code)
    assert not is_valid_csv(chars[:position] + chars[position + 1 :])
    assert not is_valid_csv(chars[:position] + "7" + chars[position:])


@given(st.text(alphabet=string.printable + "ÑñáU", max_size=40))
def test_normalize_never_accepts_junk_silently(text: str) -> None:
    try:
        code = normalize_csv(text)
    except InvalidCsv as exc:
        assert str(exc)
    else:
        assert is_valid_csv(code) and len(code) == CSV_LENGTH


def test_messages_name_the_problem() -> None:
    code = symbols(new_csv())
    for bad, fragment in [
        (code[:-2], "25 caracteres"),
        (code[:-1] + "U", "'U'"),
        (code[:-1] + ALPHABET[(ALPHABET.index(code[-1]) + 1) % 32], "control"),
    ]:
        try:
            normalize_csv(bad)
        except InvalidCsv as exc:
            assert fragment in str(exc)
        else:
            raise AssertionError(f"{bad} accepted")
