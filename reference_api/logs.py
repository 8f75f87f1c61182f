"""Structured logs: one JSON object a line on stderr, at LOG_LEVEL."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# Attributes every record has, and uvicorn's terminal-colour copy of its message.
_NOT_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"color_message"}


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Anything passed through `extra=` becomes a field of its own.
        entry.update((key, value) for key, value in vars(record).items() if key not in _NOT_FIELDS)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log costs a line per request; keep it for debugging only.
    logging.getLogger("uvicorn.access").disabled = level != "debug"
