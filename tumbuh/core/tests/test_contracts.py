"""The per-app contracts (core/contracts.py): every module an app provides satisfies its
Protocol, and discovery finds them all in one way."""

from __future__ import annotations

import types

import pytest
from django.apps import apps

from tumbuh.core import contracts
from tumbuh.core.contracts import CONTRACTS, app_modules, breaches
from tumbuh.imports.framework import Importer, kinds


@pytest.mark.parametrize("contract", CONTRACTS)
def test_every_module_found_satisfies_its_contract(contract):
    found = app_modules(contract)
    assert found, f"no app provides {contract}"
    for module in found:
        assert isinstance(module, CONTRACTS[contract]), module.__name__
        assert breaches(contract, module) == [], module.__name__


def test_discovery_walks_tumbuhs_apps_in_installed_order():
    tumbuh_apps = [c.name for c in apps.get_app_configs() if c.name.startswith("tumbuh.")]
    found = [m.__name__.rsplit(".", 1)[0] for m in app_modules("demo_data")]
    assert found == [name for name in tumbuh_apps if name in found]  # INSTALLED_APPS order: demo seeds in it
    assert {"tumbuh.measurements", "tumbuh.dashboards", "tumbuh.maps", "tumbuh.publik"} <= {
        m.__name__.rsplit(".", 1)[0] for m in app_modules("permissions")
    }
    assert [m.__name__ for m in app_modules("login_shortcuts")] == ["tumbuh.demo.login_shortcuts"]


def test_each_importers_module_registers_a_kind():
    registered = set(kinds().values())
    for module in app_modules("importers"):
        # the module itself, or a package (measurements.importers) whose submodules declare it
        own = {
            v
            for v in vars(module).values()
            if isinstance(v, type)
            and issubclass(v, Importer)
            and (v.__module__ == module.__name__ or v.__module__.startswith(module.__name__ + "."))
        }
        assert own & registered, f"{module.__name__} registers no import kind"


def test_an_unknown_contract_is_refused():
    with pytest.raises(ValueError):
        app_modules("permission")  # a typo must not quietly find nothing


def test_a_module_that_breaks_its_contract_is_named():
    lacking = types.ModuleType("tumbuh.example.aksi_outputs")
    lacking.PROVES, lacking.proofs = {}, lambda kabupaten, year, user, today: []
    assert breaches("aksi_outputs", lacking) == ["tumbuh.example.aksi_outputs has no outputs"]
    lacking.outputs = lambda kabupaten, user: []  # a parameter missing
    [problem] = breaches("aksi_outputs", lacking)
    assert problem.startswith("tumbuh.example.aksi_outputs.outputs(kabupaten, user)")
    lacking.outputs = lambda kabupaten, year, user: []
    assert breaches("aksi_outputs", lacking) == []
    del lacking.PROVES
    assert breaches("aksi_outputs", lacking) == ["tumbuh.example.aksi_outputs has no PROVES"]
    shortcuts = types.ModuleType("tumbuh.example.login_shortcuts")
    shortcuts.PASSWORD = "x"
    assert breaches("login_shortcuts", shortcuts) == ["tumbuh.example.login_shortcuts has no ACCOUNTS"]


def test_a_module_that_fails_to_import_is_not_taken_for_a_missing_one(monkeypatch):
    real = contracts.import_module

    def broken(name):
        if name == "tumbuh.maps.permissions":
            raise ModuleNotFoundError("No module named 'shapely_missing'", name="shapely_missing")
        return real(name)

    monkeypatch.setattr(contracts, "import_module", broken)
    app_modules.cache_clear()
    try:
        with pytest.raises(ModuleNotFoundError):
            app_modules("permissions")
    finally:
        app_modules.cache_clear()
