"""The cache of parsed config files: used only for the same text, never stale, never trusted blindly."""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

import pytest

from instantiate import ConfigError, load
from instantiate._config import yaml_cache
from instantiate._config.loading import parse_yaml
from instantiate._config.provenance import MarkedDict, MarkedList

TEXT = "model:\n  name: resnet\n  layers: [1, 2]\nlr: 0.1\nflags:\n  - true\n  - null\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory for this test."""
    where = tmp_path / "cache"
    monkeypatch.setenv("INSTANTIATE_CACHE_DIR", str(where))
    monkeypatch.delenv("INSTANTIATE_NO_CACHE", raising=False)
    return where


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the YAML parser is asked to read (a cache hit asks it nothing)."""
    seen: list[str] = []
    real = parse_yaml

    def counting(text: str, file: str | None = None) -> Any:
        seen.append(str(file))
        return real(text, file)

    monkeypatch.setattr("instantiate._config.loading.parse_yaml", counting)
    return seen


def marked(value: Any) -> Any:
    """The data with each container's class, file and lines, for comparing provenance too."""
    if isinstance(value, MarkedDict):
        return ("dict", value.file, dict(value.lines), {k: marked(v) for k, v in value.items()})
    if isinstance(value, MarkedList):
        return ("list", value.file, list(value.lines), [marked(v) for v in value])
    return (type(value).__name__, value)


def config_file(tmp_path: Path, text: str = TEXT) -> Path:
    file = tmp_path / "conf" / "train.yaml"
    file.parent.mkdir(exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def test_a_second_read_is_a_hit_with_the_same_data_and_lines(
    tmp_path: Path, cache: Path, parses: list[str]
) -> None:
    file = config_file(tmp_path)
    first = yaml_cache.load_file(file)
    second = yaml_cache.load_file(file)
    assert parses == [str(file)]  # parsed once
    assert marked(second) == marked(first) == marked(parse_yaml(TEXT, str(file)))
    cached = yaml_cache.cache_path(str(file))
    assert cached is not None and Path(cached).is_file() and Path(cached).is_relative_to(cache)
    assert load(file).model.source == f"{file}:1" and load(file).lr == 0.1


def test_a_changed_file_is_parsed_again(tmp_path: Path, cache: Path, parses: list[str]) -> None:
    file = config_file(tmp_path)
    yaml_cache.load_file(file)
    file.write_text(TEXT.replace("0.1", "0.2"), encoding="utf-8")
    assert yaml_cache.load_file(file)["lr"] == 0.2
    assert yaml_cache.load_file(file)["lr"] == 0.2
    assert parses == [str(file), str(file)]


def assert_cache_replaced_by_is_a_miss(tmp_path: Path, parses: list[str], content: bytes) -> None:
    """A config is cached, its cache file replaced by ``content``: the next read parses again."""
    file = config_file(tmp_path)
    yaml_cache.load_file(file)
    cached = Path(str(yaml_cache.cache_path(str(file))))
    cached.write_bytes(content)
    assert marked(yaml_cache.load_file(file)) == marked(parse_yaml(TEXT, str(file)))
    assert len(parses) == 2


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal at all",
        marshal.dumps(("another format", "x", 1)),
        marshal.dumps(None),
        b"\xe9" * 40,
    ],
)
def test_a_corrupt_or_foreign_cache_file_is_a_miss(
    tmp_path: Path, cache: Path, parses: list[str], content: bytes
) -> None:
    assert_cache_replaced_by_is_a_miss(tmp_path, parses, content)


@pytest.mark.parametrize(
    "payload",
    [
        (0, ("a",), (1, 2), (1,)),  # lengths disagree
        (0, ("a", "a"), (1, 2), (1, 1)),  # a key twice
        (0, (("k",),), (1,), (1,)),  # a key that is a container
        (1, (1,), ("one",)),  # a line that is not a number
        (7, ()),  # no such container
        {"a": 1},  # a type the cache never writes
        frozenset({1}),
    ],
)
def test_cached_data_is_checked_before_it_is_used(
    tmp_path: Path, cache: Path, parses: list[str], payload: Any
) -> None:
    assert_cache_replaced_by_is_a_miss(
        tmp_path, parses, marshal.dumps((yaml_cache.fingerprint(), TEXT, payload))
    )


def test_a_cache_from_another_parser_is_a_miss(
    tmp_path: Path, cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    file = config_file(tmp_path)
    yaml_cache.load_file(file)
    monkeypatch.setattr(yaml_cache, "_fingerprint", ("another PyYAML",))
    yaml_cache.load_file(file)
    assert len(parses) == 2


def test_the_cache_can_be_turned_off(
    tmp_path: Path, cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSTANTIATE_NO_CACHE", "1")
    file = config_file(tmp_path)
    yaml_cache.load_file(file)
    yaml_cache.load_file(file)
    assert len(parses) == 2
    assert not cache.exists()


def test_an_unwritable_cache_dir_just_means_no_cache(
    tmp_path: Path, cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")  # as for a user without rights (root has them all)

    monkeypatch.setattr(os, "makedirs", refused)
    file = config_file(tmp_path)
    assert yaml_cache.load_file(file)["lr"] == 0.1
    assert yaml_cache.load_file(file)["lr"] == 0.1
    assert len(parses) == 2
    assert not cache.exists()


def test_a_cache_dir_that_is_a_file_just_means_no_cache(
    tmp_path: Path, cache: Path, parses: list[str]
) -> None:
    cache.write_text("in the way")
    file = config_file(tmp_path)
    assert yaml_cache.load_file(file)["lr"] == 0.1
    assert yaml_cache.load_file(file)["lr"] == 0.1
    assert len(parses) == 2


def test_a_file_that_fails_to_parse_is_not_cached_and_still_names_its_line(
    tmp_path: Path, cache: Path
) -> None:
    file = config_file(tmp_path, "a: 1\nb: [2\nc: 3\n")
    for _ in range(2):
        with pytest.raises(ConfigError) as caught:
            yaml_cache.load_file(file)
        assert caught.value.source is not None and caught.value.source.startswith(f"{file}:")
    assert not Path(str(yaml_cache.cache_path(str(file)))).exists()


def test_a_duplicate_key_is_refused_on_every_read(tmp_path: Path, cache: Path) -> None:
    file = config_file(tmp_path, "a: 1\nb: 2\na: 3\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"duplicate key 'a' \(first at .*train.yaml:1\)"):
            yaml_cache.load_file(file)


def test_values_the_cache_cannot_hold_are_parsed_each_time(
    tmp_path: Path, cache: Path, parses: list[str]
) -> None:
    file = config_file(tmp_path, "when: !!timestamp 2024-01-01\nraw: !!binary aGVsbG8=\n")
    first = yaml_cache.load_file(file)
    assert yaml_cache.load_file(file) == first
    assert len(parses) == 2


def test_the_default_place_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("INSTANTIATE_CACHE_DIR", raising=False)
    monkeypatch.delenv("INSTANTIATE_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert yaml_cache.cache_dir() == str(tmp_path / "xdg" / "instantiate")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert yaml_cache.cache_dir() == str(tmp_path / "home" / ".cache" / "instantiate")
    monkeypatch.setenv("INSTANTIATE_NO_CACHE", "0")  # 0 or empty: on
    assert yaml_cache.cache_dir() is not None
