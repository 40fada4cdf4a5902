"""Jobs sent with cloudpickle (submitit): a module-like object in one travels by its name.

cloudpickle pickles by value a task the worker could not import (defined in a notebook or in a
function), with every loaded submodule its code may reach: a submodule of a module the code
uses whose name is among the code's names, attribute names too (``torch`` and ``cfg.classes``
bring ``torch.classes``). cloudpickle sends a module by reference only when its type is
``types.ModuleType`` itself, as its reducers are looked up by exact type; libraries put objects
of ModuleType subclasses in ``sys.modules`` (``torch.classes``, ``torch.ops``,
``torch.backends.cudnn``), and pickling one fails ("cannot pickle '_Classes' object",
cloudpipe/cloudpickle#405), so the job never started. `Sent` pickles its job with a cloudpickle
pickler that sends those by name as well, as cloudpickle sends a plain module.
"""

from __future__ import annotations

import sys
import types
from typing import Any

_pickler: Any = None  # made on first use: cloudpickle comes with the submitit extra


class Sent:
    """A job as a launcher hands it to submitit: pickled as `dumps` pickles it, unpickled as the job."""

    __slots__ = ("job",)

    def __init__(self, job: Any) -> None:
        self.job = job

    def __reduce__(self) -> Any:
        import pickle

        return pickle.loads, (dumps(self.job),)


def dumps(obj: Any) -> bytes:
    """``obj`` as cloudpickle pickles it, but a module-like object in ``sys.modules`` by its name."""
    import io
    import pickle

    buffer = io.BytesIO()
    _cloudpickler()(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _cloudpickler() -> Any:
    global _pickler
    if _pickler is None:
        import importlib

        base: Any = importlib.import_module("cloudpickle").Pickler  # cloudpickle has no type hints

        class Pickler(base):  # type: ignore[misc]
            def reducer_override(self, obj: Any) -> Any:
                if isinstance(obj, types.ModuleType) and type(obj) is not types.ModuleType:
                    name = getattr(obj, "__name__", None)
                    if isinstance(name, str) and sys.modules.get(name) is obj:
                        return importlib.import_module, (name,)
                return super().reducer_override(obj)

        _pickler = Pickler
    return _pickler


__all__ = ["Sent", "dumps"]
