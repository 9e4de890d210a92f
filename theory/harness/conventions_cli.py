"""Output of ``wdt conventions``: the table, computed by feeding symbols through the converters."""

from __future__ import annotations

import json
from collections.abc import Mapping

from rich.table import Table

from theory.conventions import DATA_LOSSES, INPUTS, Convention, get_convention, to_canonical, translate
from theory.conventions import table as convention_table
from theory.errors import InputError
from theory.harness.console import console as make_console
from theory.harness.console import did_you_mean, table_box

__all__ = ["print_table", "print_translation", "resolve_api", "symbolic_row"]

_CAPTION = (
    "Canonical objective: (1/2n)‖Xw − y‖² + (λ/2)‖w‖² + μ‖w‖₁ (classification: mean loss). "
    "λ and μ are computed by theory.conventions from symbolic parameters; torch, Keras and optax "
    "rows assume the data loss MSELoss (mean, no ½): pass --data-loss for another (mean_logloss for a "
    "mean cross-entropy), and batch_size=B for a summed loss over mini-batches of B. Rows whose λ "
    "depends on more than their penalty take it as a setting: momentum=, sd_y=, learning_rate=."
)


def resolve_api(name: str) -> str:
    """The table's key for ``name``, matched case-insensitively (``torch.sgd`` → ``torch.SGD``).

    Raises:
        InputError: no key matches; the message names the closest keys ("did you mean") and all.
    """
    keys = list(convention_table())
    if name in keys:
        return name
    folded = [k for k in keys if k.lower() == name.strip().lower()]
    if len(folded) == 1:
        return folded[0]
    raise InputError(f"unknown library API {name!r}{did_you_mean(name, keys)} (known: {', '.join(keys)})")


def symbolic_row(conv: Convention) -> tuple[str, str]:
    """(λ, μ) of a row as formulas, computed by :func:`theory.conventions.to_canonical` on symbols."""
    import sympy

    if conv.decoupled:
        return "no L2 equivalent", "—"
    symbols = {p: sympy.Symbol(p, positive=True) for p in conv.params}
    penalty = to_canonical(conv.key, symbols, n=sympy.Symbol("n", positive=True))
    return str(sympy.nsimplify(penalty.l2)), str(sympy.nsimplify(penalty.l1))


def print_table(*, as_json: bool = False) -> int:
    """Print every convention with its canonical λ and μ."""
    rows = []
    for conv in convention_table().values():
        lam, mu = symbolic_row(conv)
        data = conv.data_loss or "mse"
        rows.append(
            {
                "api": conv.key,
                "parameters": ", ".join(conv.params),
                "rule": conv.rule,
                "data_loss": DATA_LOSSES[data][0],
                "lambda": lam,
                "mu": mu,
                "note": conv.note,
            }
        )
    if as_json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return 0
    console = make_console()
    table = Table(title="How libraries scale their regularisation", caption=_CAPTION, box=table_box(console))
    # μ and the data loss are short and keep their width; at 80 columns the API name and λ fold
    table.add_column("API", overflow="fold")
    table.add_column("λ (canonical)", overflow="fold")
    table.add_column("μ (canonical)", no_wrap=True, min_width=len("alpha*l1_ratio"))
    table.add_column("data loss", no_wrap=True, min_width=len("(1/2n)‖r‖²"))
    for r in rows:
        table.add_row(r["api"], r["lambda"], r["mu"], r["data_loss"].split("  ")[0])
    console.print(table)
    console.print("What each library does:", style="bold")
    for r in rows:
        note = f" ({r['note']})" if r["note"] else ""
        console.print(f"  {r['api']}: {r['rule']}{note}", highlight=False, markup=False)
    return 0


def print_translation(
    source: str,
    params: Mapping[str, float],
    *,
    n: float | int,
    data_loss: str | None,
    target_data_loss: str | None,
    as_json: bool = False,
) -> int:
    """Print one setting in every library's terms.

    ``params`` may hold, besides the source's parameters, ``batch_size`` and the translation inputs
    (``momentum``, ``sd_y``, ``learning_rate``) that other rows need.
    """
    source = resolve_api(source)
    for option, loss in (("--data-loss", data_loss), ("--target-data-loss", target_data_loss)):
        if loss is not None and loss not in DATA_LOSSES:
            raise InputError(
                f"{option} {loss!r} is not a data loss{did_you_mean(loss, DATA_LOSSES)} "
                f"(known: {', '.join(DATA_LOSSES)})"
            )
    row = get_convention(source)
    own = {k: v for k, v in params.items() if k in row.params or k not in {*INPUTS, "batch_size"}}
    inputs = {k: v for k, v in params.items() if k in INPUTS and k not in row.params}
    batch_size = params.get("batch_size")
    penalty = to_canonical(source, own, n=n, data_loss=data_loss, batch_size=batch_size)
    result = translate(
        source,
        own,
        n=n,
        data_loss=data_loss,
        target_data_loss=target_data_loss,
        batch_size=batch_size,
        inputs=inputs,
    )
    if as_json:
        print(
            json.dumps(
                {"canonical": {"l2": penalty.l2, "l1": penalty.l1}, "translations": result},
                indent=1,
                ensure_ascii=False,
            )
        )
        return 0
    setting = ", ".join(f"{k}={v:g}" for k, v in params.items())
    console = make_console()
    table = Table(
        box=table_box(console),
        title=f"{source}({setting}) with n = {n:g}: canonical λ = {penalty.l2:.6g}, μ = {penalty.l1:.6g}",
        caption=f"targets that take a data loss assume {target_data_loss or 'mse'}",
    )
    table.add_column("API")
    table.add_column("equivalent setting")
    for key, value in result.items():
        if isinstance(value, dict):
            table.add_row(key, ", ".join(f"{k}={v:.6g}" for k, v in value.items()))
        else:
            table.add_row(key, f"[yellow]{value}[/]")
    console.print(table)
    return 0
