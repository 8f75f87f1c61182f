"""`python -m reference_api`: serve the API with settings from the environment."""

from __future__ import annotations

import sys

from .server import main

if __name__ == "__main__":
    sys.exit(main())
