"""An HTTP client bound to the API under test: real sockets, nothing mocked.

Given several instances of the API, it sends each request to the next one in turn, so a
test's create, claim and GET land on different instances: what one instance wrote, the
next must read."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import requests


class ApiClient:
    def __init__(self, base_urls: str | Sequence[str], timeout: float = 15.0) -> None:
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        self.base_urls = tuple(url.rstrip("/") for url in urls)
        self.timeout = timeout
        self.session = requests.Session()
        self._next = itertools.cycle(self.base_urls)

    @property
    def base_url(self) -> str:
        return self.base_urls[0]

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, next(self._next) + path, **kwargs)

    def health(self) -> requests.Response:
        return self.request("GET", "/health")

    def create(self, name: Any, amount: Any) -> requests.Response:
        return self.request("POST", "/api/coupons", json={"name": name, "amount": amount})

    def claim(self, user_id: Any, coupon_name: Any) -> requests.Response:
        return self.request(
            "POST", "/api/coupons/claim", json={"user_id": user_id, "coupon_name": coupon_name}
        )

    def get(self, name: str) -> requests.Response:
        return self.request("GET", "/api/coupons/" + quote(name, safe=""))

    def post_raw(self, path: str, body: bytes, content_type: str | None) -> requests.Response:
        headers = {"Content-Type": content_type} if content_type else {}
        return self.request("POST", path, data=body, headers=headers)
