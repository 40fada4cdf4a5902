"""Jobs sent with cloudpickle (submitit, ray): a module-like object in one travels by its name.

cloudpickle pickles by value a task the worker could not import (defined in a notebook or in a
function), with every loaded submodule its code may reach: a submodule of a module the code
uses whose name is among the code's names, attribute names too (``torch`` and ``cfg.classes``
bring ``torch.classes``). cloudpickle sends a module by reference only when its type is
``types.ModuleType`` itself, as its reducers are looked up by exact type; libraries put objects
of ModuleType subclasses in ``sys.modules`` (``torch.classes``, ``torch.ops``,
``torch.backends.cudnn``), and pickling one fails ("cannot pickle '_Classes' object",
cloudpipe/cloudpickle#405), so the job never started. `Sent` pickles its job with a cloudpickle
pickler that sends those by name as well, as cloudpickle sends a plain module. submitit uses the
``cloudpickle`` package, ray its own copy (``ray.cloudpickle``): the pickler derives from the
launcher's, so ray's reducers (for its object refs and actor handles) still apply.
"""

from __future__ import annotations

import sys
import types
from typing import Any

_picklers: dict[str, Any] = {}  # cloudpickle's module -> our pickler, made on first use


class Sent:
    """A job as a launcher hands it to submitit or ray: pickled as `dumps` pickles it, loaded as the job."""

    __slots__ = ("job", "library")

    def __init__(self, job: Any, library: str = "cloudpickle") -> None:
        self.job = job
        self.library = library  # the cloudpickle module to pickle with: "cloudpickle", "ray.cloudpickle"

    def __reduce__(self) -> Any:
        import pickle

        return pickle.loads, (dumps(self.job, self.library),)

    def __repr__(self) -> str:  # what ray names in "Could not serialize the argument ..."
        return repr(self.job)


def dumps(obj: Any, library: str = "cloudpickle") -> bytes:
    """``obj`` as the cloudpickle ``library`` pickles it, but a module-like object in ``sys.modules``
    by its name."""
    import io
    import pickle

    buffer = io.BytesIO()
    _cloudpickler(library)(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _cloudpickler(library: str) -> Any:
    pickler = _picklers.get(library)
    if pickler is None:
        import importlib

        base: Any = importlib.import_module(library).Pickler  # cloudpickle has no type hints

        class Pickler(base):  # type: ignore[misc]
            def reducer_override(self, obj: Any) -> Any:
                if isinstance(obj, types.ModuleType) and type(obj) is not types.ModuleType:
                    name = getattr(obj, "__name__", None)
                    if isinstance(name, str) and sys.modules.get(name) is obj:
                        return importlib.import_module, (name,)
                return super().reducer_override(obj)

        pickler = _picklers[library] = Pickler
    return pickler


__all__ = ["Sent", "dumps"]
