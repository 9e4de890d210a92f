"""theory.empirical without torch: the lazy import, the error naming the extra, the skips."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import theory.empirical as emp
from theory.checks import CheckContext, all_checks, run_check
from theory.errors import InputError, MissingDependencyError, TheoryError

HINT = "pip install 'weight-decay-theory[torch]'"


@pytest.fixture
def no_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import torch`` fail as it does where torch is not installed."""
    monkeypatch.setitem(sys.modules, "torch", None)


def test_require_torch_names_the_extra(no_torch: None) -> None:
    with pytest.raises(MissingDependencyError) as info:
        emp.require_torch()
    assert HINT in str(info.value)
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, TheoryError)


def test_submodules_raise_the_same_error_without_torch(
    no_torch: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("_common", "linear"):  # forget any earlier import, module and package attribute
        monkeypatch.delitem(sys.modules, f"theory.empirical.{name}", raising=False)
        if name in vars(emp):  # not hasattr: the package's __getattr__ would import the submodule
            monkeypatch.delattr(emp, name)
    with pytest.raises(MissingDependencyError, match="weight-decay-theory\\[torch\\]"):
        from theory.empirical import linear  # noqa: F401


def test_cuda_available_is_false_not_an_error_without_torch(no_torch: None) -> None:
    assert emp.cuda_available() is False


def test_every_empirical_check_skips_with_the_reason_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    # collect first: other providers import SciPy, whose array-API layer trips over a None torch
    checks = [c for c in all_checks() if c.route == "empirical"]
    assert len(checks) >= 12
    monkeypatch.setitem(sys.modules, "torch", None)
    for check in checks:
        out = run_check(check, CheckContext())
        assert out.status == "skip", (check.theorem_id, out.detail)
        assert out.detail == f"torch not installed: {HINT}"


def test_checks_module_imports_in_a_fresh_interpreter_without_torch() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["torch"] = None  # what a missing install looks like to the import system
        import theory.empirical.checks
        from theory.checks import all_checks
        n = sum(c.route == "empirical" for c in all_checks(["theory.empirical.checks"]))
        assert "torch" not in [m for m in sys.modules if sys.modules[m] is not None]
        print(n)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 12


def test_importing_the_package_does_not_import_torch() -> None:
    code = "import sys, theory.empirical, theory.empirical.checks; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("device", ["gpu", "mps", "cuda:x", "cpu:1", 3, None, ""])
def test_unknown_device_is_an_input_error(device: object) -> None:
    with pytest.raises(InputError, match="device must be"):
        emp.resolve_device(device)


def test_missing_cuda_is_a_typed_error_naming_the_device_and_why() -> None:
    """The one device check (theory.empirical.resolve_device): typed, from theory.errors."""
    from theory.errors import DeviceUnavailableError

    torch = pytest.importorskip("torch")
    assert emp.DeviceUnavailableError is DeviceUnavailableError
    assert emp.resolve_device("cpu") == "cpu"
    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        with pytest.raises(DeviceUnavailableError, match=f"cuda:{count}.*{count} CUDA device"):
            emp.resolve_device(f"cuda:{count}")
        return
    for device in ("cuda", "cuda:1"):
        with pytest.raises(DeviceUnavailableError) as info:
            emp.resolve_device(device)
        message = str(info.value)
        assert repr(device) in message and torch.__version__ in message
        assert ("no CUDA support" in message) == (torch.version.cuda is None)


def test_missing_device_needs_torch_first(no_torch: None) -> None:
    with pytest.raises(MissingDependencyError, match="extra"):
        emp.resolve_device("cuda")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "int64", "complex128", int, object])
def test_non_float_dtype_is_an_input_error(dtype: object) -> None:
    with pytest.raises(InputError, match="float64 or float32"):
        emp.dtype_name(dtype)


@pytest.mark.parametrize(
    ("dtype", "name"), [("float64", "float64"), ("double", "float64"), ("float32", "float32")]
)
def test_dtype_names(dtype: str, name: str) -> None:
    import numpy as np

    assert emp.dtype_name(dtype) == name
    assert emp.dtype_name(np.dtype(name)) == name


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        _ = emp.not_a_submodule  # type: ignore[attr-defined]
