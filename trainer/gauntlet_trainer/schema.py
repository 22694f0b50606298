"""A tiny validator toolkit mirroring the zod constructs used by core/spec/job.ts.

Why not pydantic/jsonschema: the trainer image should need nothing beyond torch + boto3, and the contract uses only a
handful of zod features. Every validator is `check(value, path) -> normalized value` and raises BadInput naming the
dotted path and the offending value, which is what the orchestrator shows the user.
"""
import math
import re

from .errors import BadInput, describe

REQUIRED = object()  # field must be present
OPTIONAL = object()  # field may be absent; absent -> None (zod `.optional()`)
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER


def _bad(path, message, value):
    return BadInput(path or "<job>", f"{message} (got {describe(value)})")


def _join(path, name):
    return f"{path}.{name}" if path else name


def literal(expected):
    def check(value, path):
        if value != expected or isinstance(value, bool) != isinstance(expected, bool):
            raise _bad(path, f"must be {expected!r}", value)
        return value
    return check


def enum(*choices):
    def check(value, path):
        if not isinstance(value, str) or value not in choices:
            raise _bad(path, f"must be one of {', '.join(choices)}", value)
        return value
    return check


def string(min_len=0, pattern=None, pattern_message=None):
    regex = re.compile(pattern) if pattern else None

    def check(value, path):
        if not isinstance(value, str):
            raise _bad(path, "must be a string", value)
        if len(value) < min_len:
            raise _bad(path, f"must have at least {min_len} character(s)", value)
        if regex and not regex.fullmatch(value):
            raise _bad(path, pattern_message or f"must match {pattern}", value)
        return value
    return check


def number(integer=False, gt=None, ge=None, lt=None, le=None):
    def check(value, path):
        # bool is an int subclass in Python, but not a number in JSON/zod.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _bad(path, "must be a finite number", value)
        if integer:
            if value != int(value):
                raise _bad(path, "must be an integer", value)
            # zod's .int() takes only JavaScript's safe integers; a larger one would be rounded on the TS side.
            if abs(value) > MAX_SAFE_INTEGER:
                raise _bad(path, f"must be a safe integer (|n| <= {MAX_SAFE_INTEGER})", value)
            value = int(value)
        for bound, ok, word in ((gt, lambda b: value > b, ">"), (ge, lambda b: value >= b, ">="),
                                (lt, lambda b: value < b, "<"), (le, lambda b: value <= b, "<=")):
            if bound is not None and not ok(bound):
                raise _bad(path, f"must be {word} {bound}", value)
        return value
    return check


def boolean():
    def check(value, path):
        if not isinstance(value, bool):
            raise _bad(path, "must be true or false", value)
        return value
    return check


def nullable(inner):
    return lambda value, path: None if value is None else inner(value, path)


def refine(inner, predicate, message):
    def check(value, path):
        value = inner(value, path)
        if not predicate(value):
            raise _bad(path, message, value)
        return value
    return check


def any_of(*validators, message):
    """zod union: the first validator that accepts wins."""
    def check(value, path):
        for validator in validators:
            try:
                return validator(value, path)
            except BadInput:
                pass
        raise _bad(path, message, value)
    return check


def array(item_validator):
    """A JSON array whose every item passes `item_validator`."""
    def check(value, path):
        if not isinstance(value, list):
            raise _bad(path, "must be an array", value)
        return [item_validator(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return check


def record(value_validator):
    def check(value, path):
        if not isinstance(value, dict):
            raise _bad(path, "must be an object", value)
        return {str(k): value_validator(v, _join(path, str(k))) for k, v in value.items()}
    return check


def strict_object(fields):
    """fields: name -> (validator, default); default is REQUIRED, OPTIONAL, or a value used when the key is absent."""
    def check(value, path):
        if not isinstance(value, dict):
            raise _bad(path, "must be an object", value)
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise BadInput(_join(path, unknown[0]), f"unknown field (allowed: {', '.join(fields)})")
        out = {}
        for name, (validator, default) in fields.items():
            if name in value:
                out[name] = validator(value[name], _join(path, name))
            elif default is REQUIRED:
                raise BadInput(_join(path, name), "required field is missing")
            elif default is OPTIONAL:
                out[name] = None
            else:
                # Defaults go through the validator too, so nested defaults (e.g. `{}`) are filled in.
                out[name] = validator(default, _join(path, name))
        return out
    return check


def discriminated(key, variants):
    """zod discriminatedUnion: pick the variant by `value[key]`."""
    def check(value, path):
        if not isinstance(value, dict):
            raise _bad(path, "must be an object", value)
        tag = value.get(key)
        if tag not in variants:
            raise _bad(_join(path, key), f"must be one of {', '.join(variants)}", tag)
        return variants[tag](value, path)
    return check
