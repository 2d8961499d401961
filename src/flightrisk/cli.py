"""The `flightrisk` command line: parse, load, call, save, report errors. No logic lives here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console

from flightrisk.errors import InputError

app = typer.Typer(
    name="flightrisk",
    help="Predict which sales reps are about to leave, and explain which levers drive the risk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    """Predict which sales reps are about to leave, and explain which levers drive the risk."""


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the raw extract into.")],
    world: Annotated[Path | None, typer.Option(help="World file (YAML); defaults when omitted.")] = None,
    reps: Annotated[int | None, typer.Option(help="Sales headcount (overrides the world file).")] = None,
    months: Annotated[int | None, typer.Option(help="Months to simulate (overrides the world file).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (overrides the world file).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
) -> None:
    """Write a synthetic HRIS extract of a simulated sales organisation, with its true causes."""
    from flightrisk.synth import load_world, simulate_organisation
    from flightrisk.synth.write import write_extract

    if fmt not in ("parquet", "csv"):
        raise InputError(f"--format must be 'parquet' or 'csv', got {fmt!r}")
    the_world = load_world(world, reps=reps, months=months, seed=seed)
    with err.status("Simulating the organisation…") if err.is_terminal else _nullcontext():
        result = simulate_organisation(the_world)
    write_extract(result, the_world, out_dir, fmt=fmt)
    err.print(
        f"Wrote {len(result.tables)} tables to {out_dir} "
        f"({len(result.tables['employees'])} people; voluntary attrition "
        f"{result.voluntary_attrition:.3f}/year, involuntary {result.involuntary_attrition:.3f}/year)"
    )


@app.command()
def validate(
    raw: Annotated[Path, typer.Option("--raw", help="Folder of the raw extract.")],
) -> None:
    """Check every raw table against its schema and the links between tables."""
    from flightrisk.schema import validate_raw

    counts = validate_raw(raw)
    for name, rows in counts.items():
        out.print(f"{name}: {rows} rows OK")
    out.print(f"{raw}: all {len(counts)} tables are valid")


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main() -> None:
    """Entry point: exit 0 on success, 2 on bad input or usage, 1 on anything unexpected."""
    debug = "--debug" in sys.argv[1:]
    try:
        app(standalone_mode=False)
    except InputError as exc:
        if debug:
            raise
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(1)
    except Exception as exc:  # the last line of defence: no traceback unless asked
        if debug:
            raise
        err.print(f"unexpected failure: {type(exc).__name__}: {exc} (rerun with --debug for details)")
        sys.exit(1)
