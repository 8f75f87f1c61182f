"""`open_stack(spec)`: the one way every job gets a running stack, whatever its kind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .compose import compose_up
from .external import external_stack
from .local import local_stack
from .spec import StackSpec
from .stack import Stack, StackError


@contextmanager
def open_stack(spec: StackSpec) -> Iterator[Stack]:
    """The stack `spec` describes, up and serving; taken down (what the harness started)
    on leaving. Raises StackError, with the part that failed and why."""
    if problem := spec.problem():
        raise StackError(problem)
    if spec.kind == "compose":
        context = compose_up(spec)
    elif spec.kind == "external":
        context = external_stack(list(spec.api_urls), spec.dsn or "", spec.startup_timeout)
    else:
        context = local_stack(spec)
    with context as stack:
        yield stack
