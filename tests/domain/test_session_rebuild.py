"""Replay's cheap path (domain/session/rebuild.py): a payload in the writer's stored form is rebuilt without
pydantic's validator, to exactly the model pydantic builds, and only where pydantic would build one.

Properties, for every record kind, over random valid payloads (hypothesis):
- the stored form (to_payload, canonical JSON, read back with decimals exact) is always rebuilt, never
  handed to pydantic, and the rebuilt model equals pydantic's: same values of the same types (a Decimal
  stays a Decimal with its digits, a tuple a tuple), same fields given;
- the same form with one value replaced, one field dropped or an unknown one added is rebuilt only if
  pydantic accepts it, to the same model; whatever pydantic refuses, `parse_record` still refuses.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import AllowInfNan, BaseModel, Field, RootModel, Strict, ValidationError, field_validator
from pydantic.fields import FieldInfo

from ketamine_desktop.domain.assessment import OBSERVATION_RANGES, Observation
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.session import CorruptRecord, parse_record
from ketamine_desktop.domain.session.rebuild import NotRebuilt, by_pydantic, rebuilder
from ketamine_desktop.domain.session.records import _PAYLOAD_CLASSES, RECORD_KINDS, SessionRecord, to_payload
from tests.helpers.runs import examples

AT = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def _stored(data: dict[str, object]) -> dict[str, Any]:
    """What the store gives back for a payload: canonical JSON, numbers with a fraction as Decimal."""
    from ketamine_desktop.store.payload import decode_payload, encode_payload

    return decode_payload(encode_payload(data))


# --- random valid payloads, from the models' own fields ------------------------------------------------


def _value(annotation: object, metadata: tuple[object, ...], name: str) -> st.SearchStrategy[object]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        more: list[object] = []
        for item in extra:
            more.extend(item.metadata if isinstance(item, FieldInfo) else (item,))
        return _value(base, (*metadata, *more), name)
    if origin is typing.Union or origin is UnionType:
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return st.none() | _value(inner, metadata, name)
    if origin is Literal:
        return st.sampled_from(typing.get_args(annotation))
    if origin is tuple:
        return st.lists(_value(typing.get_args(annotation)[0], (), name), max_size=3).map(tuple)
    least = next((getattr(m, "min_length", 0) for m in metadata if hasattr(m, "min_length")), 0)
    positive = any(hasattr(m, "gt") or hasattr(m, "ge") for m in metadata)
    known = OBSERVATION_RANGES.get(name)
    if annotation is str:
        return st.text(st.characters(exclude_categories=["Cs"]), min_size=least, max_size=12)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        if known is not None:
            return st.integers(int(known.low), int(known.high))
        return st.integers(0 if positive else -(2**70), 2**70)
    if annotation is Decimal:
        if known is not None:
            return st.decimals(known.low, known.high, places=1)
        low = Decimal("0.0001") if positive else None
        return st.decimals(min_value=low, allow_nan=False, allow_infinity=False)
    if annotation is datetime:
        return st.datetimes(timezones=st.just(UTC))
    assert isinstance(annotation, type) and issubclass(annotation, BaseModel), annotation
    return _model_data(annotation)


def _model_data(cls: type[BaseModel]) -> st.SearchStrategy[object]:
    required: dict[str, st.SearchStrategy[object]] = {}
    optional: dict[str, st.SearchStrategy[object]] = {}
    for name, info in cls.model_fields.items():
        strategy = _value(info.annotation, tuple(info.metadata), name)
        (required if info.is_required() else optional)[name] = strategy
    data = st.fixed_dictionaries(required, optional=optional)
    if cls is Observation:  # its own check: a diastolic above the systolic is a typing error
        return data.filter(_pressures_in_order)
    return data


def _pressures_in_order(data: dict[str, object]) -> bool:
    systolic, diastolic = data.get("systolic_bp"), data.get("diastolic_bp")
    return not (isinstance(systolic, int) and isinstance(diastolic, int) and diastolic > systolic)


def _valid_payload(kind: str) -> st.SearchStrategy[BaseModel]:
    cls = _PAYLOAD_CLASSES[kind]  # type: ignore[index]
    return _model_data(cls).map(cls.model_validate)


@st.composite
def _any_payload(draw: st.DrawFn) -> tuple[str, BaseModel]:
    kind = draw(st.sampled_from(RECORD_KINDS))
    return kind, draw(_valid_payload(kind))


# --- the comparison: same values of the same types -----------------------------------------------------


def _typed(value: object) -> object:
    """A model as nested (type, value) pairs, with each model's given fields: `==` on Decimal(1) and 1,
    or on a list and a tuple, would hide a difference of type."""
    if isinstance(value, BaseModel):
        fields = {name: _typed(getattr(value, name)) for name in type(value).model_fields}
        return (type(value), fields, frozenset(value.model_fields_set))
    if isinstance(value, tuple | list):
        return (type(value), tuple(_typed(item) for item in value))
    if isinstance(value, Decimal):
        return (Decimal, value.as_tuple())
    if isinstance(value, datetime):
        return (datetime, value.isoformat(), value.utcoffset())
    return (type(value), value)


def _same(rebuilt: BaseModel, validated: BaseModel) -> None:
    assert rebuilt == validated
    assert _typed(rebuilt) == _typed(validated)
    assert rebuilt.model_dump() == validated.model_dump()


@pytest.mark.long_run
@examples(100, long=3000)
@given(_any_payload())
def test_the_stored_form_is_rebuilt_to_pydantics_model(case: tuple[str, BaseModel]) -> None:
    kind, body = case
    stored = _stored(to_payload(body))  # type: ignore[arg-type]
    cls = type(body)
    _same(rebuilder(cls)(stored), cls.model_validate(stored))
    record = parse_record(7, kind, stored, "AB", AT)
    _same(record, SessionRecord(seq=7, recorded_by="AB", recorded_at=AT, body=cls.model_validate(stored)))


def test_every_record_kind_is_rebuilt_and_only_validators_go_through_pydantic() -> None:
    for cls in _PAYLOAD_CLASSES.values():
        rebuilder(cls)
    # The models with checks of their own (an observation's ranges); everything else is rebuilt.
    assert {cls.__name__ for cls in by_pydantic() if cls.__module__.startswith("ketamine_desktop")} == {
        "Observation",
        "AssessmentContext",
    }


_JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 500),
    st.decimals(-5, 500, places=2),
    st.sampled_from(
        ["", "x", "A", "due", "mg/kg/h", "2026-11-21T08:00:00.000000Z", "2026-11-31T08:00:00.000000Z"]
    ),
    st.lists(st.sampled_from(["spo2", "pain", 1]), max_size=2),
    st.dictionaries(st.sampled_from(["value", "unit", "x"]), st.integers(0, 3), max_size=2),
)


@st.composite
def _altered(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A stored form with one change somewhere in it: a value replaced, a field dropped or added."""
    kind, body = draw(_any_payload())
    stored = _stored(to_payload(body))  # type: ignore[arg-type]
    node: Any = stored
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            node = child
            continue
        change = draw(st.sampled_from(["replace", "drop", "add"] if isinstance(node, dict) else ["replace"]))
        if change == "replace":
            node[key] = draw(_JSON_VALUES)
        elif change == "drop":
            del node[key]
        else:
            node["unexpected"] = draw(_JSON_VALUES)
        break
    return kind, stored


@pytest.mark.long_run
@examples(150, long=5000)
@given(_altered())
def test_an_altered_form_is_rebuilt_only_where_pydantic_builds_the_same(
    case: tuple[str, dict[str, Any]],
) -> None:
    kind, stored = case
    cls = _PAYLOAD_CLASSES[kind]  # type: ignore[index]
    try:
        validated = cls.model_validate(stored)
    except ValidationError:
        with pytest.raises(NotRebuilt):
            rebuilder(cls)(stored)
        with pytest.raises(CorruptRecord):
            parse_record(7, kind, stored, "AB", AT)
        return
    try:
        rebuilt = rebuilder(cls)(stored)
    except NotRebuilt:
        rebuilt = None  # not the writer's form: pydantic builds it (below)
    if rebuilt is not None:
        _same(rebuilt, validated)
    _same(parse_record(7, kind, stored, "AB", AT).body, validated)


# --- each refusal, and each field type handed to pydantic, once ---------------------------------------


class _Leaf(FrozenModel):
    word: Annotated[str, Field(min_length=2)]
    count: Annotated[int, Field(ge=0)] = 0
    dose: Annotated[Decimal, Field(gt=0)] | None = None
    flag: bool = False
    when: datetime | None = None
    tags: tuple[Literal["a", "b"], ...] = ()
    strict: Annotated[int, Strict()] = 0


_GOOD = {
    "word": "ok",
    "count": 1,
    "dose": Decimal("0.5"),
    "flag": True,
    "when": "2026-11-21T08:00:00.000000Z",
    "tags": ["a"],
}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"word": "o"}, "shorter than its minimum"),
        ({"word": 5}, "a number for a text"),
        ({"count": -1}, "below its minimum"),
        ({"count": True}, "a bool for an int"),
        ({"count": "1"}, "a text for an int"),
        ({"dose": Decimal(0)}, "not above zero"),
        ({"dose": Decimal("NaN")}, "not a number"),
        ({"dose": "0.5"}, "a text for a Decimal"),
        ({"flag": 1}, "an int for a bool"),
        ({"when": "2026-11-21T08:00:00Z"}, "an instant not in the writer's form"),
        ({"when": "2026-11-31T08:00:00.000000Z"}, "no such day"),
        ({"when": 5}, "a number for an instant"),
        ({"tags": ["c"]}, "not one of the Literal's values"),
        ({"tags": [1]}, "a number for a Literal"),
        ({"tags": "a"}, "a text for a tuple"),
        ({"tags": None}, "None where None is not allowed"),
        ({"strict": 1.0}, "a float for a strict int"),
        ({"unexpected": 1}, "a field the model does not have"),
    ],
)
def test_what_is_not_the_writers_form_is_not_rebuilt(change: dict[str, object], why: str) -> None:
    with pytest.raises(NotRebuilt):
        rebuilder(_Leaf)({**_GOOD, **change})
    del why


def test_defaults_fill_what_an_older_record_left_out() -> None:
    rebuild = rebuilder(_Leaf)
    _same(rebuild({"word": "ok"}), _Leaf.model_validate({"word": "ok"}))
    _same(rebuild({"word": "ok", "dose": 2}), _Leaf.model_validate({"word": "ok", "dose": 2}))
    _same(rebuild(dict(_GOOD)), _Leaf.model_validate(_GOOD))
    for wrong in ({"count": 1}, {"word": "ok", "unexpected": 1}, {**_GOOD, "word": "ok", "extra": 1}):
        with pytest.raises(NotRebuilt):
            rebuild(wrong)
    six = {key: value for key, value in _GOOD.items() if key != "tags"} | {"other": 1}
    with pytest.raises(NotRebuilt):
        rebuild(six)  # as many fields as the model, one of them unknown
    with pytest.raises(NotRebuilt):
        rebuild(["not", "a", "mapping"])


class _Checked(FrozenModel):
    level: int

    @field_validator("level")
    @classmethod
    def _small(cls, value: int) -> int:
        if value > 3:
            raise ValueError("too big")
        return value


class _Holder(FrozenModel):
    checked: _Checked
    notes: tuple[str, ...]


class _CheckedHolder(_Holder):
    @field_validator("notes")
    @classmethod
    def _some(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("a note is needed")
        return value


def test_a_model_with_validators_is_validated_by_pydantic_inside_a_rebuilt_one() -> None:
    rebuild = rebuilder(_Holder)
    _same(
        rebuild({"checked": {"level": 2}, "notes": ["x"]}),
        _Holder.model_validate({"checked": {"level": 2}, "notes": ["x"]}),
    )
    for wrong in ({"checked": {"level": 4}, "notes": []}, {"checked": [2], "notes": []}):
        with pytest.raises(NotRebuilt):
            rebuild(wrong)
    assert _Checked in by_pydantic() and _Holder not in by_pydantic()
    outer = {"checked": {"level": 1}, "notes": ["x"]}
    _same(rebuilder(_CheckedHolder)(outer), _CheckedHolder.model_validate(outer))


class _PostInit(FrozenModel):
    a: int

    def model_post_init(self, context: object) -> None:
        del context


class _Root(RootModel[int]):
    pass


class _Float(FrozenModel):
    x: float


class _Listed(FrozenModel):
    x: list[int]


class _Either(FrozenModel):
    x: int | str


class _Numbers(FrozenModel):
    x: Literal[1, 2]


class _Pair(FrozenModel):
    x: tuple[int, int]


class _Aliased(FrozenModel):
    x: int = Field(alias="y")


class _Factory(FrozenModel):
    x: tuple[int, ...] = Field(default_factory=tuple)


class _Longest(FrozenModel):
    x: Annotated[str, Field(max_length=3)]


class _NaNAllowed(FrozenModel):
    x: Annotated[Decimal, AllowInfNan(True)]


class _StrictDecimal(FrozenModel):
    x: Annotated[Decimal, Strict()]  # strict refuses the int the converter would take


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        (_PostInit, {"a": 1}),
        (_Root, 1),
        (_Float, {"x": 1.5}),
        (_Listed, {"x": [1]}),
        (_Either, {"x": "a"}),
        (_Numbers, {"x": 1}),
        (_Pair, {"x": [1, 2]}),
        (_Aliased, {"y": 1}),
        (_Factory, {"x": [1]}),
        (_Longest, {"x": "abc"}),
        (_NaNAllowed, {"x": Decimal("NaN")}),
        (_StrictDecimal, {"x": Decimal("1.5")}),
    ],
)
def test_a_field_this_module_does_not_rebuild_hands_the_class_to_pydantic(
    cls: type[BaseModel], data: object
) -> None:
    rebuild: Callable[[object], BaseModel] = rebuilder(cls)
    assert cls in by_pydantic()
    if isinstance(data, dict):
        assert rebuild(data) == cls.model_validate(data)
    else:
        with pytest.raises(NotRebuilt):
            rebuild(data)  # a root model's value is no mapping


def test_a_strict_decimal_refuses_a_whole_number_as_pydantic_does() -> None:
    with pytest.raises(ValidationError):
        _StrictDecimal.model_validate({"x": 1})
    with pytest.raises(NotRebuilt):
        rebuilder(_StrictDecimal)({"x": 1})


def test_texts_are_interned_and_given_fields_shared_in_either_path() -> None:
    first = rebuilder(_Holder)({"checked": {"level": 1}, "notes": ["".join(["ab", "c"])]})
    again = rebuilder(_Holder)({"checked": {"level": 1}, "notes": ["".join(["a", "bc"])]})
    assert first.notes[0] is again.notes[0]  # type: ignore[attr-defined]
    assert first.model_fields_set is again.model_fields_set
    assert first.checked.model_fields_set is again.checked.model_fields_set  # type: ignore[attr-defined]


def test_a_record_whose_own_fields_do_not_fit_goes_through_pydantic() -> None:
    stored = _stored({"key": "k", "at": "2026-11-21T08:00:00.000000Z"})
    with pytest.raises(CorruptRecord):
        parse_record(1, "task-done", stored, "", AT)  # no author
    record = parse_record(1, "task-done", stored, "AB", AT)
    assert record == SessionRecord.model_validate(
        {"seq": 1, "recorded_by": "AB", "recorded_at": AT, "body": record.body}
    )


def test_a_model_configured_beyond_frozen_model_or_with_private_state_is_left_to_pydantic() -> None:
    """Stripping, strictness or a private attribute would make pydantic build something else than a
    plain rebuild: such a model is validated by pydantic (and built as pydantic builds it)."""
    from pydantic import ConfigDict, PrivateAttr

    from ketamine_desktop.domain.model import FrozenModel
    from ketamine_desktop.domain.session.rebuild import by_pydantic, rebuilder

    class Stripped(FrozenModel):
        model_config = ConfigDict(str_strip_whitespace=True)
        name: str

    class Private(FrozenModel):
        name: str
        _cache: int = PrivateAttr(default=0)

    class Plain(FrozenModel):
        name: str

    assert rebuilder(Stripped)({"name": "  Dr Reed "}) == Stripped(name="  Dr Reed ")
    assert rebuilder(Private)({"name": "x"}) == Private(name="x")
    assert rebuilder(Plain)({"name": "x"}) == Plain(name="x")
    assert {Stripped, Private} <= by_pydantic() and Plain not in by_pydantic()
