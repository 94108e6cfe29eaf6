"""Payload models rebuilt from their stored form without pydantic's validator, to the same models.

Replay builds every record of a session (about 2,000 in 14 days) at start-up. pydantic's validation of a
record, with the interning and sharing `parse_record` adds for memory, costs several times what is needed
for the one form the record's writer produces: canonical JSON (`store/payload.py`) of `to_payload`, read
back as str, int, bool, Decimal, None, lists and dicts. `rebuilder(cls)` compiles, once per model class, a
function from such a mapping to the model that accepts only what pydantic accepts, and builds what pydantic
builds (the property tests compare them for every record kind):

- every field given or defaulted, no unknown one (the models forbid extras);
- exact types: a str for a str, an int (not a bool) for an int, a bool for a bool, a Decimal or an int for a
  Decimal (finite), a list for a tuple, a dict for a model, None only where None is allowed;
- a Literal's value among its values; the constraints pydantic checks (minimum length, > and >=, finite);
- an instant only in the writer's form (`iso_utc`: 2026-11-21T08:00:00.000000Z), read as UTC.

A model with validators of its own (an observation's ranges) is validated by pydantic, as a whole, inside
the rebuilt one: its validators always run. A field type or constraint this module does not know makes its
class's rebuilder hand every mapping to pydantic (decided once, when compiled: nothing is skipped quietly).
A mapping that does not fit raises `NotRebuilt`; the caller validates it through pydantic, which refuses
it (a record altered by hand) or builds it (an older record's form), as it always did.

Texts are interned and each model's set of given fields is shared, as `parse_record` does for memory.
"""

from __future__ import annotations

import re
import sys
import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import annotated_types
from pydantic import AllowInfNan, BaseModel, Strict
from pydantic.fields import FieldInfo

from ketamine_desktop.domain.model import FrozenModel

__all__ = ["NotRebuilt", "by_pydantic", "construct", "interned", "rebuilder", "shared_fields_set"]

Convert = Callable[[object], object]
Rebuild = Callable[[object], BaseModel]

# `iso_utc`'s form exactly: anything else (another offset, no fraction) is left to pydantic.
_WRITTEN_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", re.ASCII)
_MISSING = object()

# Each set of field names given once, shared by every model given the same (pydantic only reads it back
# for `exclude_unset`, which nothing here uses).
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
_REBUILDERS: dict[type[BaseModel], Rebuild] = {}
_BY_PYDANTIC: set[type[BaseModel]] = set()


class NotRebuilt(ValueError):
    """The mapping is not in the writer's form (or not valid): validate it through pydantic."""


class _Unknown(Exception):
    """A field type or constraint this module does not rebuild (the class goes through pydantic)."""


def shared_fields_set(names: frozenset[str]) -> set[str]:
    shared = _FIELDS_SETS.get(names)
    if shared is None:
        shared = _FIELDS_SETS[names] = set(names)
    return shared


def rebuilder(cls: type[BaseModel]) -> Rebuild:
    """The compiled rebuilder of `cls` (raises NotRebuilt for a mapping that does not fit)."""
    found = _REBUILDERS.get(cls)
    if found is None:
        found = _compile(cls)
    return found


def _compile(cls: type[BaseModel]) -> Rebuild:
    decorators = cls.__pydantic_decorators__
    own_checks = (
        decorators.validators
        or decorators.field_validators
        or decorators.root_validators
        or decorators.model_validators
    )
    if (
        own_checks
        or cls.__pydantic_post_init__ is not None
        or cls.__pydantic_root_model__
        or cls.__private_attributes__
        or _config_of(cls) != _FROZEN_MODEL_CONFIG
    ):
        # A validator, private state or any configuration beyond FrozenModel's (stripping, lengths,
        # strictness, extra fields...) would change what pydantic builds: it builds it.
        return _keep(cls, _by_pydantic(cls))
    # Registered first, so that a model that holds itself is compiled once.
    fields: list[tuple[str, Convert]] = []
    defaults: list[tuple[str, Convert, object]] = []
    rebuild = _keep(cls, _rebuilding(cls, fields, defaults))
    try:
        for name, info in cls.model_fields.items():
            convert = _converter(info.annotation, tuple(info.metadata))
            if info.alias is not None or info.validation_alias is not None:
                raise _Unknown(f"{name} has an alias")
            if info.is_required():
                default: object = _MISSING
            elif info.default_factory is not None:
                raise _Unknown(f"{name} has a default factory")
            else:
                default = info.default
            fields.append((name, convert))
            defaults.append((name, convert, default))
    except _Unknown:
        return _keep(cls, _by_pydantic(cls))
    return rebuild


def _config_of(cls: type[BaseModel]) -> dict[str, object]:
    """The model's configuration, without the keys pydantic adds for every model."""
    return {key: value for key, value in cls.model_config.items() if key != "title"}


_FROZEN_MODEL_CONFIG = _config_of(FrozenModel)


def _keep(cls: type[BaseModel], rebuild: Rebuild) -> Rebuild:
    _REBUILDERS[cls] = rebuild
    return rebuild


def by_pydantic() -> frozenset[type[BaseModel]]:
    """The classes compiled so far whose mappings pydantic validates (their own validators, or a field
    this module does not rebuild)."""
    return frozenset(_BY_PYDANTIC)


def _by_pydantic(cls: type[BaseModel]) -> Rebuild:
    """pydantic's own validation of a mapping, inside a rebuilt model (its texts interned)."""
    _BY_PYDANTIC.add(cls)
    validate = cls.__pydantic_validator__.validate_python

    def rebuild(value: object) -> BaseModel:
        if type(value) is not dict:
            raise NotRebuilt
        try:
            model: BaseModel = validate({key: interned(item) for key, item in value.items()})
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise NotRebuilt from exc
        object.__setattr__(model, "__pydantic_fields_set__", shared_fields_set(frozenset(value)))
        return model

    return rebuild


def interned(value: object) -> object:
    """JSON-loaded data with every text interned (a long record repeats the same few texts)."""
    if type(value) is str:
        return sys.intern(value)
    if type(value) is list:
        return [interned(item) for item in value]
    if type(value) is dict:
        return {key: interned(item) for key, item in value.items()}
    return value


def construct(cls: type[BaseModel], values: dict[str, object], given: set[str]) -> BaseModel:
    """`cls` holding `values` (every field, each already what pydantic makes of it; `given`: the names
    the mapping held), without validation: what `model_construct` does, without its per-field work."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", given)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


def _rebuilding(
    cls: type[BaseModel],
    fields: list[tuple[str, Convert]],
    defaults: list[tuple[str, Convert, object]],
) -> Rebuild:
    def rebuild(value: object) -> BaseModel:
        if type(value) is not dict:
            raise NotRebuilt
        if len(value) == len(fields):  # the writer's form: every field written, defaults too
            try:
                values = {name: convert(value[name]) for name, convert in fields}
            except KeyError as exc:
                raise NotRebuilt from exc
            return construct(cls, values, shared_fields_set(frozenset(value)))
        values = {}
        given = 0
        for name, convert, default in defaults:
            item = value.get(name, _MISSING)
            if item is _MISSING:
                if default is _MISSING:
                    raise NotRebuilt
                values[name] = default
            else:
                values[name] = convert(item)
                given += 1
        if given != len(value):
            raise NotRebuilt  # a field the model does not have
        return construct(cls, values, shared_fields_set(frozenset(value)))

    return rebuild


def _converter(annotation: object, metadata: tuple[object, ...]) -> Convert:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        more: list[object] = []
        for item in extra:
            more.extend(item.metadata if isinstance(item, FieldInfo) else (item,))
        return _converter(base, (*metadata, *more))
    if annotation not in _STRICT_AS_IS and any(isinstance(item, Strict) and item.strict for item in metadata):
        # pydantic's strict mode refuses what these converters take (an int for a Decimal, a text for an
        # instant): it decides.
        raise _Unknown(f"strict {annotation!r}")
    checks = tuple(check for item in metadata if (check := _check(item)) is not None)
    convert = _plain_converter(annotation)
    if not checks:
        return convert

    def checked(value: object) -> object:
        result = convert(value)
        for check in checks:
            if not check(result):
                raise NotRebuilt
        return result

    return checked


def _check(item: object) -> Callable[[typing.Any], bool] | None:
    """The test a constraint makes of a converted value; None for strictness (a text, a whole number and
    a flag are converted as strictly as pydantic's strict mode; `_converter` sends any other to it)."""
    if isinstance(item, Strict):
        return None
    if isinstance(item, annotated_types.MinLen):
        shortest = item.min_length
        return lambda value: len(value) >= shortest
    if isinstance(item, annotated_types.Gt):
        above = item.gt
        return lambda value: bool(value > above)
    if isinstance(item, annotated_types.Ge):
        least = item.ge
        return lambda value: bool(value >= least)
    if isinstance(item, AllowInfNan) and not item.allow_inf_nan:
        return None  # every Decimal rebuilt is finite (`_decimal`)
    raise _Unknown(repr(item))


def _plain_converter(annotation: object) -> Convert:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return _optional(annotation)
    if origin is typing.Literal:
        return _literal(annotation)
    if origin is tuple:
        return _tuple(annotation)
    simple = _SIMPLE.get(annotation)
    if simple is not None:
        return simple
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return rebuilder(annotation)
    raise _Unknown(repr(annotation))


def _optional(annotation: object) -> Convert:
    options = typing.get_args(annotation)
    others = [option for option in options if option is not type(None)]
    if len(options) != 2 or len(others) != 1:
        raise _Unknown(repr(annotation))  # a union of two types: pydantic's union rules decide
    inner = _converter(others[0], ())

    def optional(value: object) -> object:
        return None if value is None else inner(value)

    return optional


def _literal(annotation: object) -> Convert:
    values = typing.get_args(annotation)
    if not all(type(value) is str for value in values):
        raise _Unknown(repr(annotation))
    allowed = {value: value for value in values}

    def literal(value: object) -> object:
        if type(value) is str:
            found = allowed.get(value)
            if found is not None:
                return found
        raise NotRebuilt

    return literal


def _tuple(annotation: object) -> Convert:
    args = typing.get_args(annotation)
    if len(args) != 2 or args[1] is not Ellipsis:
        raise _Unknown(repr(annotation))
    inner = _converter(args[0], ())

    def as_tuple(value: object) -> object:
        if type(value) is not list:
            raise NotRebuilt
        return tuple([inner(item) for item in value])

    return as_tuple


def _text(value: object) -> object:
    if type(value) is str:
        return sys.intern(value)
    raise NotRebuilt


def _whole(value: object) -> object:
    if type(value) is int:
        return value
    raise NotRebuilt


def _flag(value: object) -> object:
    if type(value) is bool:
        return value
    raise NotRebuilt


def _decimal(value: object) -> object:
    kind = type(value)
    if kind is Decimal:
        if value.is_finite():  # type: ignore[attr-defined]
            return value
        raise NotRebuilt
    if kind is int:
        return Decimal(value)  # type: ignore[arg-type]
    raise NotRebuilt


def _instant(value: object) -> object:
    if type(value) is str and _WRITTEN_INSTANT.fullmatch(value) is not None:
        try:
            return datetime.fromisoformat(value)
        except ValueError:  # digits in the right places, but no such day or time (a 31 November)
            pass
    raise NotRebuilt


# The types whose converters are already as strict as pydantic's strict mode.
_STRICT_AS_IS: frozenset[object] = frozenset({str, int, bool})
_SIMPLE: dict[object, Convert] = {
    str: _text,
    int: _whole,
    bool: _flag,
    Decimal: _decimal,
    datetime: _instant,
}
