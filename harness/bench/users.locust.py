"""The two locust user classes compared by `nox -s bench -- --shapes generators`: the same
request, sent by requests (HttpUser) and by geventhttpclient (FastHttpUser)."""

from locust import FastHttpUser, HttpUser, task

PATH = "/health"


class Plain(HttpUser):
    @task
    def health(self) -> None:
        self.client.get(PATH)


class Fast(FastHttpUser):
    @task
    def health(self) -> None:
        self.client.get(PATH)
