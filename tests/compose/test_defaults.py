"""Defaults-list entries: how each form is read, where it leads, and errors naming file:line."""

from __future__ import annotations

from typing import Any

import pytest

from instantiate import ConfigError
from instantiate._compose.defaults import Default, absolute_header, ensure_self, parse_defaults
from instantiate._compose.searchpath import read_config


def entries(text: str) -> list[Default]:
    return parse_defaults(read_config("exp/x", text, "conf/exp/x.yaml"))


def test_every_form_of_entry() -> None:
    parsed = entries(
        "defaults:\n"
        "  - _self_\n"
        "  - db: mysql\n"
        "  - db@backup: pg\n"
        "  - optional local: default\n"
        "  - override /model: resnet\n"
        "  - optional override trainer@t: gpu\n"
        "  - logger: null\n"
        "  - callbacks: [a, b]\n"
        "  - /paths/default\n"
        "  - extras/base@_here_\n"
        "  - db@_here_: x\n"
    )
    got = [(d.kind, d.path, d.value, d.package, d.optional, d.override, d.source) for d in parsed]
    assert got == [
        ("self", "", None, None, False, False, "conf/exp/x.yaml:2"),
        ("group", "db", "mysql", None, False, False, "conf/exp/x.yaml:3"),
        ("group", "db", "pg", "backup", False, False, "conf/exp/x.yaml:4"),
        ("group", "local", "default", None, True, False, "conf/exp/x.yaml:5"),
        ("group", "/model", "resnet", None, False, True, "conf/exp/x.yaml:6"),
        ("group", "trainer", "gpu", "t", True, True, "conf/exp/x.yaml:7"),
        ("group", "logger", None, None, False, False, "conf/exp/x.yaml:8"),
        ("group", "callbacks", ["a", "b"], None, False, False, "conf/exp/x.yaml:9"),
        ("config", "/paths/default", None, None, False, False, "conf/exp/x.yaml:10"),
        ("config", "extras/base", None, "", False, False, "conf/exp/x.yaml:11"),  # @_here_
        ("group", "db", "x", "", False, False, "conf/exp/x.yaml:12"),
    ]


def placed(
    default: Default, parent_dir: str = "exp", parent_package: str = "exp", header: str | None = None
) -> Default:
    default.place(parent_dir, parent_package)
    default.header = header
    return default


@pytest.mark.parametrize(
    ("default", "parent", "header", "config_path", "package", "override_key"),
    [
        (Default("group", "db", "mysql"), ("", ""), None, "db/mysql", "db", "db"),
        (
            Default("group", "db", "mysql"),
            ("server", "server"),
            None,
            "server/db/mysql",
            "server.db",
            "server/db",
        ),
        (
            Default("group", "/db", "mysql"),
            ("server", "server"),
            None,
            "db/mysql",
            "server.db",
            "db@server.db",
        ),
        (Default("group", "db", "mysql", "backup"), ("", ""), None, "db/mysql", "backup", "db@backup"),
        (
            Default("group", "db", "mysql", "backup"),
            ("s", "s"),
            None,
            "s/db/mysql",
            "s.backup",
            "s/db@s.backup",
        ),
        (Default("group", "db", "mysql", ""), ("s", "s"), None, "s/db/mysql", "s", "s/db@s"),
        (Default("group", "db", "mysql", "_global_.x"), ("s", "s"), None, "s/db/mysql", "x", "s/db@x"),
        (Default("group", "db", "mysql", "_global_"), ("", ""), None, "db/mysql", "", "db@_global_"),
        (Default("group", "db", "m", "_group_"), ("s", "s"), None, "s/db/m", "s.db", "s/db"),
        (Default("group", "db", "mysql"), ("", ""), "_global_", "db/mysql", "", "db"),
        (Default("group", "db", "mysql"), ("s", "s"), "_global_.a.b", "s/db/mysql", "a.b", "s/db"),
        (Default("group", "db", "mysql"), ("", "top"), None, "db/mysql", "top.db", "db@top.db"),
        (Default("config", "db/mysql"), ("", ""), None, "db/mysql", "db", None),
        (Default("config", "mysql"), ("db", "db"), None, "db/mysql", "db", None),
        (Default("config", "/paths/default"), ("exp", ""), None, "paths/default", "paths", None),
        (Default("config", "base", package="_global_"), ("db", "db"), None, "db/base", "", None),
    ],
)
def test_where_an_entry_leads(
    default: Default,
    parent: tuple[str, str],
    header: str | None,
    config_path: str,
    package: str,
    override_key: str | None,
) -> None:
    placed(default, *parent, header=header)
    assert default.config_path == config_path
    assert default.final_package() == package
    if override_key is not None:
        assert default.override_key == override_key


def test_header_packages_are_absolute() -> None:
    assert absolute_header("_global_") == "_global_"
    assert absolute_header("_global_.a") == "_global_.a"
    assert absolute_header("a.b") == "_global_.a.b"
    assert absolute_header("") == "_global_"


def test_self_is_added_last_when_absent() -> None:
    listed = entries("defaults:\n  - db: a\n")
    assert ensure_self(Default("config", "x"), listed, "x.yaml") is True
    assert [d.kind for d in listed] == ["group", "self"]
    only_overrides = entries("defaults:\n  - override db: a\n")
    assert ensure_self(Default("config", "x"), only_overrides, "x.yaml") is False
    assert [d.kind for d in only_overrides] == ["group"]
    empty: list[Default] = []
    assert ensure_self(Default("config", "x"), empty, "x.yaml") is True


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("{db: a, model: b}", ["one 'group: option' pair, got 2 keys (db, model)"]),
        ("{}", ["got 0 keys"]),
        ("{opional db: a}", ["unknown keyword 'opional'", "Did you mean 'optional'?"]),
        ("{db: 5}", ["the option must be a name, a list of names or null, not int 5"]),
        ("{db: [a, 1]}", ["a list of options holds names only"]),
        ("{db: {x: 1}}", ["not MarkedDict"]),
        ("{/: a}", ["names no group"]),
        ("'@pkg'", ["names no config"]),
        ("5", ["a defaults entry is a config name, 'group: option' or _self_, not int 5"]),
    ],
)
def test_malformed_entries_say_where(item: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        entries(f"defaults:\n  - _self_\n  - {item}\n")
    for word in words:
        assert word in info.value.message
    assert (info.value.path, info.value.source) == ("defaults", "conf/exp/x.yaml:3")


def test_describe_shows_the_entry_as_written() -> None:
    shown: list[Any] = [
        d.describe() for d in entries("defaults:\n  - optional override db@b: a\n  - /x/y\n  - _self_\n")
    ]
    assert shown == ["optional override db@b: a", "/x/y", "_self_"]
