"""Coupons beside a run's own, named as near misses of them (invariant 9: a request changes
only the coupon it names). A claim whose SQL matches more rows than the one it names (a
pattern, a prefix or suffix, a case-folded, blank-padded or trimmed comparison) changes one
of them; no request of the run names a bystander after its create, so the checker knows
exactly what it must still hold. Each name is one a URL path carries plainly (a space as
%20, which every router decodes), so that GET reads it wherever the tables cannot be read."""

from __future__ import annotations

STOCK = 3  # a bystander's: never claimed, so it must still be 3 of 3 at the end

# SQL LIKE's `_` and a regular expression's `.` match any character: a name holding one,
# matched as a pattern, also matches the name with a plain character in its place.
_WILDCARDS = ("_", ".")


def near_misses(name: str) -> list[str]:
    """The names a sloppy match of `name` takes for it, `name` itself left out."""
    candidates = [
        name.upper(),  # a case-insensitive comparison
        f"{name}x",  # a prefix match: LIKE name || '%', or a comparison cut to len(name)
        f"x{name}",  # a suffix match: LIKE '%' || name
        f"{name} ",  # CHAR(n) comparison, or rtrim: trailing blanks ignored
        f" {name}",  # a comparison of trimmed names
        *(name.replace(wildcard, "x") for wildcard in _WILDCARDS),  # name as a pattern
    ]
    return [candidate for candidate in dict.fromkeys(candidates) if candidate != name]
