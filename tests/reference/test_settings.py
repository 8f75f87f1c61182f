"""The reference API's settings: story defaults, and a clear error naming each bad variable."""

import subprocess
import sys

import pytest

from reference_api.settings import Settings, SettingsError


def test_defaults_are_the_story_defaults() -> None:
    settings = Settings.from_env({})
    assert (settings.server_port, settings.db_port, settings.log_level) == (3000, 5432, "info")
    assert (settings.db_user, settings.db_name) == ("postgres", "coupon_db")


def test_values_come_from_the_environment() -> None:
    env = {
        "SERVER_PORT": "8080",
        "DB_HOST": "db",
        "DB_PORT": "6543",
        "DB_USER": "u",
        "DB_PASSWORD": "p",
        "DB_NAME": "n",
        "LOG_LEVEL": "DEBUG",
        "DB_POOL_SIZE": "4",
        "DB_TIMEOUT": "2.5",
    }
    settings = Settings.from_env(env)
    assert settings.conninfo()["host"] == "db" and settings.conninfo()["port"] == 6543
    assert (settings.server_port, settings.log_level, settings.db_pool_size) == (8080, "debug", 4)
    assert settings.db_timeout == 2.5


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SERVER_PORT", "http"),
        ("SERVER_PORT", "70000"),
        ("DB_PORT", "0"),
        ("LOG_LEVEL", "verbose"),
        ("DB_SSLMODE", "sometimes"),
        ("DB_POOL_SIZE", "-1"),
        ("DB_TIMEOUT", "0"),
        ("DB_TIMEOUT", "soon"),
        ("DB_TIMEOUT", "nan"),
    ],
)
def test_invalid_value_is_named(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{variable}='{value}'"):
        Settings.from_env({variable: value})


def test_every_invalid_variable_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"SERVER_PORT": "x", "DB_PORT": "y"})
    assert "SERVER_PORT" in str(caught.value) and "DB_PORT" in str(caught.value)


def test_startup_error_is_one_line_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reference_api"],
        env={"SERVER_PORT": "nope", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "SERVER_PORT='nope'" in result.stderr and "Traceback" not in result.stderr
