"""The signature pre-check (SPEC §4.5): read a target's parameters once, refuse a call that
cannot bind before making it, and say which names would be right."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import sample_targets as st
import torch
from hypothesis import given
from hypothesis import strategies as hs

from instantiate import InstantiationError, instantiate
from instantiate._build.signatures import UNKNOWN, call_problem, params_of

P = inspect.Parameter


# -- reading signatures -------------------------------------------------------------------------
def test_params_of_a_function_with_every_kind() -> None:
    def f(a, b=1, /, c=2, *args, d, e=3, **kwargs):  # type: ignore[no-untyped-def]
        pass

    params = params_of(f)
    assert params.names == {"c", "d", "e"}  # positional-only names cannot be given by keyword
    assert params.positional == ("a", "b", "c")
    assert params.required == ("a", "d")
    assert params.var_positional and params.var_keyword


def test_params_of_a_class_leave_out_self() -> None:
    params = params_of(st.Linear)
    assert params.positional == ("in_features", "out_features", "bias")
    assert params.required == ("in_features", "out_features")
    assert not params.var_positional and not params.var_keyword


def test_params_of_a_classmethod_leave_out_cls() -> None:
    params = params_of(st.Model.from_pretrained)
    assert params.positional == ("name", "layers") and params.required == ("name",)


def test_params_of_torch_linear() -> None:
    params = params_of(torch.nn.Linear)
    assert {"in_features", "out_features", "bias", "device", "dtype"} == params.names


def test_signature_that_cannot_be_read_checks_nothing() -> None:
    assert params_of(dict) is UNKNOWN
    assert call_problem(UNKNOWN, 99, {"anything": 1}, partial=False) is None
    assert instantiate({"_target_": "builtins.dict", "whatever": 1}) == {"whatever": 1}


# -- checking calls -----------------------------------------------------------------------------
def test_unknown_keyword_lists_valid_names_in_signature_order_and_the_closest() -> None:
    problem = call_problem(params_of(st.Linear), 0, {"in_features": 1, "out_feature": 2}, partial=False)
    assert problem is not None
    assert "'out_feature'" in problem and "Did you mean 'out_features'?" in problem
    assert "Valid keywords: in_features, out_features, bias" in problem


def test_unknown_keyword_with_nothing_close() -> None:
    problem = call_problem(params_of(st.Linear), 0, {"zzz": 1}, partial=False)
    assert problem is not None and "Did you mean" not in problem and "'zzz'" in problem


def test_var_keyword_accepts_any_keyword() -> None:
    assert call_problem(params_of(st.Holder), 3, {"x": 1, "y": 2}, partial=False) is None


def test_missing_required_argument() -> None:
    problem = call_problem(params_of(st.Linear), 0, {"in_features": 1}, partial=False)
    assert problem is not None and "missing the required argument 'out_features'" in problem


def test_missing_required_argument_lists_valid_names() -> None:
    problem = call_problem(params_of(st.Linear), 0, {"in_features": 1}, partial=False)
    assert problem is not None and "Valid keywords: in_features, out_features, bias" in problem


def test_missing_required_argument_points_at_a_misspelling_swallowed_by_var_keyword() -> None:
    problem = call_problem(params_of(st.required_and_keywords), 0, {"aa": 1, "other": 2}, partial=False)
    assert problem is not None
    assert "missing the required argument 'a' ('aa' is given: is it misspelled?)" in problem


def test_missing_required_keyword_only_argument() -> None:
    problem = call_problem(params_of(st.keyword_only), 0, {"b": 1}, partial=False)
    assert problem is not None and "'a'" in problem


def test_required_given_by_position() -> None:
    assert call_problem(params_of(st.Linear), 2, {}, partial=False) is None
    assert call_problem(params_of(st.Linear), 1, {"out_features": 2}, partial=False) is None


def test_too_many_positionals() -> None:
    problem = call_problem(params_of(st.two), 3, {}, partial=False)
    assert problem is not None and "at most 2 positional arguments (a, b) but _args_ gives 3" in problem
    problem = call_problem(params_of(st.keyword_only), 1, {"a": 1}, partial=False)
    assert problem is not None and "at most 0 positional arguments (none)" in problem
    assert call_problem(params_of(st.Sequential), 50, {}, partial=False) is None


def test_same_argument_by_position_and_keyword() -> None:
    problem = call_problem(params_of(st.two), 1, {"a": 1, "b": 2}, partial=False)
    assert problem is not None and "'a' twice" in problem


def test_positional_only_parameter_given_by_keyword_is_unknown() -> None:
    problem = call_problem(params_of(st.positional_only), 0, {"a": 1}, partial=False)
    assert problem is not None and "unexpected keyword 'a'" in problem


def test_positional_only_name_may_also_arrive_in_var_keyword() -> None:
    # f(a, /, **kwargs) called as f(1, a=2): Python puts a=2 into kwargs, so this binds.
    assert call_problem(params_of(st.positional_only_and_keywords), 1, {"a": 2}, partial=False) is None
    assert instantiate(
        {"_target_": "sample_targets.positional_only_and_keywords", "_args_": [1], "a": 2}
    ) == (
        1,
        {"a": 2},
    )


def test_positional_only_required_given_only_by_keyword_is_missing() -> None:
    problem = call_problem(params_of(st.positional_only_and_keywords), 0, {"a": 2}, partial=False)
    assert problem is not None and "'a'" in problem


def test_partial_skips_only_the_missing_check() -> None:
    params = params_of(st.Linear)
    assert call_problem(params, 0, {}, partial=True) is None
    assert call_problem(params, 0, {"nope": 1}, partial=True) is not None
    assert call_problem(params, 4, {}, partial=True) is not None


# -- the check agrees with Python's own binding -------------------------------------------------
NAMES = ["a", "b", "c", "d", "e"]


@hs.composite
def signatures(draw: Any) -> inspect.Signature:
    names = draw(hs.permutations(NAMES))
    count = draw(hs.integers(0, len(NAMES)))
    kinds = sorted(
        draw(
            hs.lists(
                hs.sampled_from([P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY]),
                min_size=count,
                max_size=count,
            )
        )
    )
    params: list[inspect.Parameter] = []
    seen_default = False
    for name, kind in zip(names, kinds):
        positional = kind is not P.KEYWORD_ONLY
        # after a positional parameter with a default, later positional ones need one too
        default = draw(hs.booleans()) or (positional and seen_default)
        seen_default = seen_default or (positional and default)
        params.append(P(name, kind, default=0 if default else P.empty))
    if draw(hs.booleans()):
        at = sum(p.kind is not P.KEYWORD_ONLY for p in params)
        params.insert(at, P("args", P.VAR_POSITIONAL))
    if draw(hs.booleans()):
        params.append(P("kwargs", P.VAR_KEYWORD))
    return inspect.Signature(params)


def _binds(target: Any, signature: inspect.Signature, n_args: int, keywords: set[str], partial: bool) -> bool:
    """Does Python accept the call? For ``partial``: would it, once the missing arguments came later?"""
    args = list(range(n_args))
    kwargs = dict.fromkeys(keywords, 1)
    if partial:  # complete the call the way a later caller could, without touching what is given
        params = list(signature.parameters.values())
        required_only_by_position = [
            p for p in params if p.kind is P.POSITIONAL_ONLY and p.default is P.empty
        ]
        args += [0] * max(0, len(required_only_by_position) - n_args)
        positional = [p for p in params if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
        covered = {p.name for p in positional[: len(args)]}
        for p in params:
            keyword_capable = p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)
            if keyword_capable and p.default is P.empty and p.name not in covered and p.name not in kwargs:
                kwargs[p.name] = 1
    try:
        target(*args, **kwargs)
    except TypeError:
        return False
    return True


@given(
    signature=signatures(),
    n_args=hs.integers(0, 6),
    keywords=hs.sets(hs.sampled_from([*NAMES, "zz"])),
    partial=hs.booleans(),
)
def test_call_problem_agrees_with_python(
    signature: inspect.Signature, n_args: int, keywords: set[str], partial: bool
) -> None:
    # A real function with that signature is the judge (inspect.Signature.bind wrongly refuses a
    # positional-only name passed by keyword into **kwargs).
    namespace: dict[str, Any] = {}
    exec(f"def target{signature}:\n    pass\n", namespace)
    target = namespace["target"]
    binds = _binds(target, signature, n_args, keywords, partial)
    problem = call_problem(params_of(target), n_args, dict.fromkeys(keywords, 1), partial)
    assert (problem is None) == binds, (str(signature), n_args, sorted(keywords), partial, problem)


# -- through instantiate ------------------------------------------------------------------------
def test_signature_check_reports_the_node() -> None:
    cfg = {
        "outer": {"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Point", "z": 1}}
    }
    with pytest.raises(InstantiationError) as info:
        instantiate(cfg)
    assert info.value.path == "outer.inner"
    assert "sample_targets.Point got an unexpected keyword 'z'" in str(info.value)


def test_signature_is_checked_on_every_build_not_only_the_first() -> None:
    assert instantiate({"_target_": "sample_targets.Point", "x": 1}) == st.Point(1)
    with pytest.raises(InstantiationError, match="'q'"):
        instantiate({"_target_": "sample_targets.Point", "q": 1})


# -- the keywords that fit, remembered per target ------------------------------------------------
@pytest.mark.parametrize("shapes", [1, 2, 3])
@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"in_features": 1, "out_features": 2, "bais": True}, "unexpected keyword 'bais'"),
        ({"in_features": 1}, "missing the required argument 'out_features'"),
    ],
)
def test_a_call_after_many_that_fit_is_still_checked(shapes: int, bad: dict[str, Any], words: str) -> None:
    # Nodes of one target whose keywords come in one, two or three sets (each fits), then one
    # that does not: it fails at its own path, however many calls fitting before were skipped.
    sets = [{"in_features": 1, "out_features": 2}, {"in_features": 1, "out_features": 2, "bias": False}]
    sets.append({"out_features": 2, "in_features": 1, "bias": True})
    layers = [{"_target_": "sample_targets.Linear", **sets[i % shapes]} for i in range(200)]
    built = instantiate({"layers": layers})["layers"]
    assert [layer.bias for layer in built] == [sets[i % shapes].get("bias", True) for i in range(200)]
    with pytest.raises(InstantiationError, match=words) as info:
        instantiate({"layers": [*layers, {"_target_": "sample_targets.Linear", **bad}]})
    assert info.value.path == "layers[200]"
