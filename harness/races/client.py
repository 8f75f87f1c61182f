"""An HTTP client bound to the API under test: real sockets, nothing mocked."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests


class ApiClient:
    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, self.base_url + path, **kwargs)

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
