"""The new-user tester's small CLI findings (issue 13): figures --out/--list, case, hints, counts."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from theory.harness.cli import build_parser, main


def _usage_error(capsys, argv: list[str]) -> str:
    """The message of an argparse usage error (exit status 2)."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    return capsys.readouterr().err


def test_figures_out_below_a_file_is_a_usage_error_before_drawing(tmp_path, capsys, monkeypatch):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    import figures.registry

    monkeypatch.setattr(figures.registry, "get_figure", lambda name: pytest.fail("drew before refusing"))
    assert main(["figures", "--out", str(afile / "sub"), "--only", "l2-contours"]) == 2
    err = capsys.readouterr().err
    assert "cannot make that directory" in err and "Traceback" not in err


def test_figures_list_fits_columns_and_is_one_line_a_figure_when_plain(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["figures", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    monkeypatch.delenv("COLUMNS")
    assert main(["figures", "--list"]) == 0
    plain = capsys.readouterr().out.splitlines()
    assert len(plain) < len(lines) and all(line.split()[0] for line in plain)  # one line a figure


def test_figures_list_honours_only_and_style(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(["figures", "--list", "--only", "L2-Contours", "--style", "Paper"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["l2-contours"]
    assert main(["figures", "--list", "--style", "poster"]) == 2
    assert "unknown style 'poster'" in capsys.readouterr().err


def test_device_gpu_suggests_cuda(capsys):
    assert "did you mean 'cuda'?" in _usage_error(capsys, ["verify", "--device", "gpu"])


def test_choices_accept_any_case():
    parser = build_parser()
    args = parser.parse_args(["verify", "--route", "Numeric", "--device", "CPU"])
    assert args.route == ["numeric"] and args.device == "cpu"
    args = parser.parse_args(["conventions", "--from", "torch.SGD", "--data-loss", "MSE", "--n", "1e3"])
    assert args.data_loss == "mse" and args.n == 1000 and isinstance(args.n, int)
    assert parser.parse_args(["claims", "--device", "CPU"]).device == "cpu"
    assert parser.parse_args(["figures", "--style", "Slides"]).style == "slides"


@pytest.mark.parametrize("n", ["1.5", "0", "-3", "nan", "abc"])
def test_conventions_n_is_a_positive_integer(capsys, n):
    err = _usage_error(capsys, ["conventions", "--from", "torch.SGD", "weight_decay=1e-4", "--n", n])
    assert "must be a positive integer" in err


def test_a_bad_setting_value_is_an_input_error(capsys):
    assert main(["conventions", "--from", "torch.SGD", "weight_decay=abc", "--n", "10"]) == 2
    assert "InputError: weight_decay must be a number; got 'abc'" in capsys.readouterr().err


def test_verbose_header_marks_empirical_only_with_its_legend(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["verify", "--only", "l2.dof", "--route", "numeric", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "tolerance* (ratio)" not in out and "tolerance (ratio)" in out


def test_verbose_header_mark_comes_with_the_legend():
    import io

    from rich.console import Console

    from theory.checks import Outcome
    from theory.harness.verify import render

    row = Outcome("l2.dof", "t", "s", "numeric", "n", "pass", 1, 0.1, 1.0, 0.1, 0.0, "d", "empirical", "why")
    out = Console(file=io.StringIO(), width=200)
    render([row], title="x", verbose=True, out=out)
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert "tolerance* (ratio)" in text and "* empirical tolerance" in text
