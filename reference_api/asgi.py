"""`create()` builds the app from the environment, in each worker process of
SERVER_WORKERS > 1 (or for any ASGI server: `uvicorn --factory reference_api.asgi:create`)."""

from .app import create_app
from .server import load_settings


def create():
    return create_app(load_settings())
