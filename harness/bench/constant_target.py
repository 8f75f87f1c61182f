"""A server that answers every request with the API's healthy `GET /health` body and does
nothing else: a target for the load generators that costs almost nothing per request, so
what limits a run against it is the generator itself. It reads SERVER_HOST and SERVER_PORT
as the API does, so it starts like one (`python -m harness.bench.constant_target`)."""

from __future__ import annotations

import os

import uvicorn

BODY = b'{"status":"healthy"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]


async def app(scope: dict, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host=os.environ.get("SERVER_HOST", "127.0.0.1"),
        port=int(os.environ.get("SERVER_PORT", "3000")),
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
