"""Reliability recipes 12 and 13 for the number grammar of ketamine_desktop.domain.units.parse_decimal.

Recipe 12: fuzz every field's configuration with arbitrary text and with a grammar-aware mix of digits,
separators, signs, exponents, NaN/infinity, spaces and other digit scripts. A string is accepted exactly
when an independent regex of the grammar matches it, and nothing but NumberParseError ever escapes.
The default run does about 2,000 examples per field; the `slow` variant does 100,000.

Recipe 13: the locale matrix, as an explicit table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketamine_desktop.domain.units import NumberParseError, parse_decimal
from tests.helpers.runs import count

# --- The independent grammar (cli-contract "Number grammar", reliability "Number entry") -----------------

_PAD = r"[ \t\n\r\x0b\x0c]*"  # surrounding ASCII whitespace only


def grammar(separator: str, allow_negative: bool) -> re.Pattern[str]:
    sign = "-?" if allow_negative else ""
    return re.compile(rf"{_PAD}({sign}(?:0|[1-9][0-9]*)(?:{re.escape(separator)}[0-9]+)?){_PAD}")


def ambiguous(separator: str) -> re.Pattern[str]:
    """1-3 digits not starting with 0, the separator, exactly three digits: could be a grouping."""
    return re.compile(rf"{_PAD}-?[1-9][0-9]{{0,2}}{re.escape(separator)}[0-9]{{3}}{_PAD}")


def check(text: str, separator: str, allow_negative: bool, reject_ambiguous: bool) -> None:
    """Parse `text` and hold the result against the independent grammar, in both directions."""
    match = grammar(separator, allow_negative).fullmatch(text)
    should_accept = match is not None and not (reject_ambiguous and ambiguous(separator).fullmatch(text))
    try:
        value = parse_decimal(
            text,
            decimal_separator=separator,
            allow_negative=allow_negative,
            reject_ambiguous_grouping=reject_ambiguous,
        )
    except NumberParseError as error:
        # Anything else (TypeError, decimal.InvalidOperation, IndexError, ...) fails the test by escaping.
        assert not should_accept, f"{text!r} is in the grammar but was refused: {error.message}"
        assert error.message.strip(), "every refusal has a message for the user"
        assert len(error.message) < 120
        return
    assert should_accept, f"{text!r} is outside the grammar but was accepted as {value!r}"
    assert match is not None
    assert isinstance(value, Decimal)
    assert value.is_finite()
    assert value == Decimal(match.group(1).replace(separator, "."))
    if value.is_zero():
        assert not value.is_signed(), "never a negative zero"
    if not allow_negative:
        assert value >= 0


# --- Strategies -----------------------------------------------------------------------------------------

_UNICODE_DIGITS = [
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "\u06f5",  # EXTENDED ARABIC-INDIC DIGIT FIVE
    "\uff15",  # FULLWIDTH DIGIT FIVE
    "\u0967",  # DEVANAGARI DIGIT ONE
    "\u0e51",  # THAI DIGIT ONE
    "\u00b2",  # SUPERSCRIPT TWO
    "\u00bd",  # VULGAR FRACTION ONE HALF
    "\u2167",  # ROMAN NUMERAL EIGHT
    "\U0001d7d8",  # MATHEMATICAL DOUBLE-STRUCK DIGIT ZERO
]
_TOKENS = [
    *"0123456789",
    *"0157",  # a second helping of the digits doses are made of
    ".",
    ",",
    ".",
    ",",
    "-",
    "+",
    "e",
    "E",
    "e-",
    "nan",
    "NaN",
    "inf",
    "INF",
    "Infinity",
    "sNaN",
    "\u221e",
    " ",
    "\t",
    "\n",
    "\u00a0",  # no-break space
    "\u202f",  # narrow no-break space
    "\u2009",  # thin space
    "_",
    "'",
    "\u2019",
    "\uff0e",  # FULLWIDTH FULL STOP
    "\u066b",  # ARABIC DECIMAL SEPARATOR
    "\u066c",  # ARABIC THOUSANDS SEPARATOR
    "0x",
    "000",
    "\x00",
    *_UNICODE_DIGITS,
]


def _render(value: Decimal, separator: str) -> str:
    return format(value, "f").replace(".", separator)


@dataclass(frozen=True)
class Field:
    allow_negative: bool
    typical: st.SearchStrategy[Decimal]  # values the field really sees, before mutation


def _decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places)


FIELDS: dict[str, Field] = {
    "weight": Field(False, st.one_of(*(_decimals("0", "400", places) for places in (0, 1, 2)))),
    "dose": Field(False, st.one_of(_decimals("0", "5", 2), _decimals("0", "5", 3), _decimals("0", "50", 1))),
    "concentration": Field(
        False,
        st.one_of(
            st.sampled_from([Decimal(v) for v in ("0.5", "1", "2", "5", "10", "50", "100", "1.000", "10.0")]),
            _decimals("0", "100", 1),
        ),
    ),
    "vitals": Field(False, st.one_of(_decimals("0", "300", 0), _decimals("25", "45", 1))),
    "rass": Field(True, st.one_of(_decimals("-5", "4", 0), _decimals("-5", "4", 1))),
}  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn, typical: st.SearchStrategy[Decimal], separator: st.SearchStrategy[str]) -> str:
    """A plausible entry with a few typing slips: inserted tokens, deleted or replaced characters."""
    text = _render(draw(typical), draw(separator))
    if draw(st.booleans()):
        text = draw(st.sampled_from(["", "-", "+", " "])) + text
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        token = draw(st.sampled_from(_TOKENS))
        if action == "insert":
            text = text[:position] + token + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + 1 :]
        else:
            text = text[:position] + token + text[position + 1 :]
    return text


def inputs(field: Field) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(),  # anything at all
        st.text(alphabet=st.characters(codec="ascii")),
        st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join),  # grammar-aware soup
        _mutated(field.typical, st.sampled_from([".", ","])),  # near misses of real entries
        field.typical.flatmap(lambda v: st.sampled_from([_render(v, "."), _render(v, ",")])),  # clean ones
    )


def _fuzz(field_name: str, max_examples: int) -> None:
    field = FIELDS[field_name]

    # Built per field because each field has its own strategy; plain @given arguments run about twice
    # as fast as st.data() draws, which matters at 100,000 examples.
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=inputs(field), separator=st.sampled_from([".", ","]), reject_ambiguous=st.booleans())
    def run(text: str, separator: str, reject_ambiguous: bool) -> None:
        check(text, separator, field.allow_negative, reject_ambiguous)

    run()


@pytest.mark.long_run
@pytest.mark.parametrize("field_name", FIELDS)
def test_fuzz_number_entry(field_name: str) -> None:
    _fuzz(field_name, count(2_000, long=100_000))


@pytest.mark.parametrize(
    "text",
    ["0.", "0E0", "INF", "NAN", "1_000", "\uff15", "\u0663.5", "1\u202f000", "\u066b5", "-", "", "+0", "0x1"],
)
@pytest.mark.parametrize("separator", [".", ","])
def test_known_escapes_of_naive_parsers_are_refused(text: str, separator: str) -> None:
    # Reliability "Number entry": a naive parser let "0.", "0E0", "INF" and "NAN" through.
    with pytest.raises(NumberParseError):
        parse_decimal(text, decimal_separator=separator, allow_negative=True)


# --- Recipe 13: the locale matrix -----------------------------------------------------------------------

LOCALES = ["C", "en_GB", "en_US", "de_DE", "fr_FR", "nl_NL"]
DECIMAL_SEPARATOR = {"C": ".", "en_GB": ".", "en_US": ".", "de_DE": ",", "fr_FR": ",", "nl_NL": ","}
X = None  # refused
D705 = Decimal("70.5")  # accepted as 70.5

# Expected outcome with reject_ambiguous_grouping=True (the GUI's setting), one column per locale.
LOCALE_MATRIX: dict[str, tuple[Decimal | None, ...]] = {
    #          C     en_GB  en_US  de_DE  fr_FR  nl_NL
    "1,000": (X,     X,     X,     X,     X,     X),
    "1.000": (X,     X,     X,     X,     X,     X),
    "70,5":  (X,     X,     X,     D705,  D705,  D705),
    "70.5":  (D705,  D705,  D705,  X,     X,     X),
    ".5":    (X,     X,     X,     X,     X,     X),
    "5.":    (X,     X,     X,     X,     X,     X),
    "nan":   (X,     X,     X,     X,     X,     X),
    "1 000": (X,     X,     X,     X,     X,     X),
}  # fmt: skip

_GROUPED_DOT = "no thousands separators; this locale uses '.' as the decimal separator"
_GROUPED_COMMA = "no thousands separators; this locale uses ',' as the decimal separator"
_AMBIGUOUS = "is ambiguous: it could be read as a thousands grouping; enter 1 or 1000"
# Why each refusal happens, by the locale's decimal separator: the message the user sees.
LOCALE_MESSAGES: dict[tuple[str, str], str] = {
    ("1,000", "."): _GROUPED_DOT,
    ("1,000", ","): "1,000 " + _AMBIGUOUS,
    ("1.000", "."): "1.000 " + _AMBIGUOUS,
    ("1.000", ","): _GROUPED_COMMA,
    ("70,5", "."): "this locale uses '.' as the decimal separator",
    ("70.5", ","): "this locale uses ',' as the decimal separator",
    (".5", "."): "use digits on both sides of the decimal point",
    (".5", ","): "this locale uses ',' as the decimal separator",
    ("5.", "."): "use digits on both sides of the decimal point",
    ("5.", ","): "this locale uses ',' as the decimal separator",
    ("nan", "."): "not a finite number (no NaN or infinity)",
    ("nan", ","): "not a finite number (no NaN or infinity)",
    ("1 000", "."): "no thousands separators",
    ("1 000", ","): "no thousands separators",
}


@pytest.mark.parametrize("text", LOCALE_MATRIX)
@pytest.mark.parametrize("locale_name", LOCALES)
def test_locale_matrix(locale_name: str, text: str) -> None:
    expected = LOCALE_MATRIX[text][LOCALES.index(locale_name)]
    separator = DECIMAL_SEPARATOR[locale_name]
    if expected is None:
        with pytest.raises(NumberParseError) as caught:
            parse_decimal(text, decimal_separator=separator, reject_ambiguous_grouping=True)
        assert caught.value.message == LOCALE_MESSAGES[(text, separator)]
    else:
        assert parse_decimal(text, decimal_separator=separator, reject_ambiguous_grouping=True) == expected


def test_locale_matrix_refuses_every_ambiguous_or_grouped_form() -> None:
    for text in ("1,000", "1.000", ".5", "5.", "nan", "1 000"):
        assert all(outcome is None for outcome in LOCALE_MATRIX[text]), text
    # Each decimal form is accepted in exactly the locales that write decimals that way.
    for text, separator in (("70,5", ","), ("70.5", ".")):
        accepted = {name for name, outcome in zip(LOCALES, LOCALE_MATRIX[text], strict=True) if outcome}
        assert accepted == {name for name in LOCALES if DECIMAL_SEPARATOR[name] == separator}
