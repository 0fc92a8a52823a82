"""The app factory's registries live on the runtime: a second runtime starts clean."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine

from bot.app import create_app
from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.journal import home
from handlers.commands import add_subcommand
from tests.conftest import make_settings

ADA = Actor("T1", "U0ADA")
SURFACES = {"export", "settings", "share"}


def _runtime(tmp_path: Path) -> Runtime:
    return Runtime(settings=make_settings(tmp_path), engine=create_engine("sqlite://"))


def test_a_runtime_without_an_app_has_no_listeners_and_no_subcommands(tmp_path: Path) -> None:
    rt = _runtime(tmp_path)
    assert rt.change_listeners == [] and rt.subcommands == {}
    hooks.changed(rt, ADA)  # tells no one, and does not fail


def test_each_app_fills_its_own_runtime(tmp_path: Path) -> None:
    first, second = _runtime(tmp_path / "1"), _runtime(tmp_path / "2")
    create_app(first, token_verification=False)
    create_app(second, token_verification=False)
    assert first.change_listeners == [home.refresh] == second.change_listeners
    assert set(first.subcommands) == SURFACES == set(second.subcommands)


def test_a_second_runtime_does_not_hear_the_first_ones_listeners(tmp_path: Path) -> None:
    first, second = _runtime(tmp_path / "1"), _runtime(tmp_path / "2")
    create_app(first, token_verification=False)
    heard: list[tuple[Runtime, Actor]] = []

    def listen(rt: Runtime, actor: Actor) -> None:
        heard.append((rt, actor))

    hooks.on_change(first, listen)
    create_app(second, token_verification=False)
    assert listen not in second.change_listeners
    hooks.changed(second, ADA)
    assert heard == []
    first.change_listeners.remove(home.refresh)  # no Web API here: only the probe is told
    hooks.changed(first, ADA)
    assert heard == [(first, ADA)]


def test_a_second_runtime_does_not_see_the_first_ones_subcommands(tmp_path: Path) -> None:
    first, second = _runtime(tmp_path / "1"), _runtime(tmp_path / "2")
    create_app(first, token_verification=False)
    add_subcommand(first, "probe", "a test-only subcommand", lambda *_: None)
    create_app(second, token_verification=False)
    assert "probe" in first.subcommands and "probe" not in second.subcommands


def test_building_a_second_app_on_one_runtime_registers_each_listener_once(tmp_path: Path) -> None:
    rt = _runtime(tmp_path)
    create_app(rt, token_verification=False)
    create_app(rt, token_verification=False)
    assert rt.change_listeners == [home.refresh]
    assert set(rt.subcommands) == SURFACES
