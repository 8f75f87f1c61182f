"""What the wheel ships: every package of the harness and the reference API, and the
contract suite as `coupon_contract` (pyproject.toml lists the packages by name, because the
suite lives outside the package tree)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setuptools_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_of_the_tree_ships() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("harness", "reference_api")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk <= set(setuptools_config()["packages"])


def test_the_contract_suite_ships_as_coupon_contract() -> None:
    config = setuptools_config()
    assert config["package-dir"]["coupon_contract"] == "tests/contract"
    assert (ROOT / "tests" / "contract" / "suite.ini").is_file()
    assert "suite.ini" in config["package-data"]["coupon_contract"]
