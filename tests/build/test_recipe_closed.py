"""A closed Recipe builds nothing more, and a close racing first builds leaves nothing open."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from instantiate import ConfigError, Recipe

HERE = __name__
OPEN: set[int] = set()
LOCK = threading.Lock()


class Resource:
    """Counts itself open from construction until close()."""

    def __init__(self, name: str, dep: Any = None) -> None:
        self.name, self.dep = name, dep
        with LOCK:
            OPEN.add(id(self))

    def close(self) -> None:
        with LOCK:
            OPEN.discard(id(self))


def components(n: int) -> dict[str, Any]:
    data: dict[str, Any] = {f"c{i}": {"_target_": f"{HERE}.Resource", "name": f"c{i}"} for i in range(n)}
    data["user"] = {"_target_": f"{HERE}.Resource", "name": "user", "dep": "$<@c0>"}
    return data


def test_after_close_nothing_more_is_built() -> None:
    with Recipe(components(3)) as recipe:
        first = recipe.c0
    assert id(first) not in OPEN
    assert recipe.c0 is first  # what was built (and closed) can still be read
    for access in (lambda: recipe.c1, lambda: recipe["c2"], lambda: recipe.build("user")):
        with pytest.raises(ConfigError, match="is closed") as info:
            access()
    assert "c2" in str(info.value) or "user" in str(info.value)
    assert not OPEN
    recipe.close()  # closing again is harmless


def test_a_close_racing_first_builds_never_leaves_a_component_open() -> None:
    rounds, threads = 150, 6
    outcomes: dict[str, int] = {"built": 0, "refused": 0}
    for _ in range(rounds):
        recipe = Recipe(components(threads))
        start = threading.Barrier(threads + 1)

        def use(name: str, recipe: Recipe = recipe, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                recipe[name]
                key = "built"
            except ConfigError as error:
                assert "is closed" in str(error)
                key = "refused"
            with LOCK:
                outcomes[key] += 1

        workers = [threading.Thread(target=use, args=(f"c{i}",)) for i in range(threads - 1)]
        workers.append(threading.Thread(target=use, args=("user",)))
        for worker in workers:
            worker.start()
        start.wait()
        recipe.close()
        for worker in workers:
            worker.join()
        assert not OPEN, f"{len(OPEN)} component(s) built and never closed"
    assert outcomes["built"] + outcomes["refused"] == rounds * threads
