"""What docstrings say about each parameter: numpy, Google and reST sections, read as text."""

from __future__ import annotations

from instantiate._tools.docstrings import parameter_docs


def numpy_style(a, b, c, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Summary.

    Parameters
    ----------
    a : int
        The a thing,
        over two lines.

        A second paragraph, left out.
    b, c : str, optional
        Bees and cees.
    **kwargs
        Passed on.

    Returns
    -------
    x : int
        Not a parameter.
    """


def google_style(a, b, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Summary.

    Args:
        a (int, optional): The a thing,
            continued.
        b: The b thing.
        *args: More.

    Returns:
        c: not a parameter.
    """


def rest_style(a, b, c):  # type: ignore[no-untyped-def]
    """Summary.

    :param int a: The a thing.
    :param b: The b thing,
        continued.
    :type b: str
    :keyword c: The c thing.
    :returns: nothing.
    """


class Documented:
    """A class documented on the class.

    Args:
        size: How big.
    """

    def __init__(self, size: int, depth: int) -> None:
        """Made.

        Args:
            size: Said again, not used: the class says it first.
            depth: How deep.
        """


def texts(obj: object) -> dict[str, tuple[str, str]]:
    return {name: (doc.text, doc.type) for name, doc in parameter_docs(obj).items()}


def test_numpy_sections() -> None:
    assert texts(numpy_style) == {
        "a": ("The a thing, over two lines.", "int"),
        "b": ("Bees and cees.", "str, optional"),
        "c": ("Bees and cees.", "str, optional"),
        "kwargs": ("Passed on.", ""),
    }


def test_google_sections() -> None:
    assert texts(google_style) == {
        "a": ("The a thing, continued.", "int, optional"),
        "b": ("The b thing.", ""),
        "args": ("More.", ""),
    }


def test_rest_fields() -> None:
    assert texts(rest_style) == {
        "a": ("The a thing.", "int"),
        "b": ("The b thing, continued.", "str"),
        "c": ("The c thing.", ""),
    }


def test_a_class_and_its_init() -> None:
    assert texts(Documented) == {"size": ("How big.", ""), "depth": ("How deep.", "")}


def test_undocumented_and_long_descriptions() -> None:
    assert parameter_docs(lambda x: x) == {}

    def long(x):  # type: ignore[no-untyped-def]
        pass

    long.__doc__ = "Summary.\n\nArgs:\n    x: " + "word " * 100
    (text,) = (doc.text for doc in parameter_docs(long).values())
    assert len(text) == 300 and text.endswith("...") and text.startswith("word word")


def test_torch_docstrings() -> None:
    """Google style with types in parentheses, as torch writes them."""
    import torch

    linear = parameter_docs(torch.nn.Linear)
    assert linear["in_features"].text == "size of each input sample"
    sgd = parameter_docs(torch.optim.SGD)
    assert sgd["momentum"].text == "momentum factor (default: 0)"
    assert sgd["momentum"].type == "float, optional"
