"""What the contract suite only prefers of other implementations, the reference must do."""

from pathlib import Path

from harness.inspect.compose_file import read_compose_file
from harness.inspect.dockerfile import read_dockerfile

ROOT = Path(__file__).parents[2]


def test_runtime_runs_as_a_non_root_user() -> None:
    users = read_dockerfile(ROOT / "Dockerfile").runtime.find("USER")
    assert users and users[-1].value.split(":")[0] not in ("root", "0"), users


def test_hadolint_finds_nothing_at_all() -> None:
    dockerfile = read_dockerfile(ROOT / "Dockerfile")
    assert dockerfile.lint == [], dockerfile.lint or dockerfile.lint_error


def test_both_services_have_health_checks_and_restart_policies() -> None:
    services = read_compose_file(ROOT, cross_check=False).services
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        assert service.get("restart") == "unless-stopped", f"{name} restart policy"
