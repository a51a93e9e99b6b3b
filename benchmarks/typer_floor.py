"""The Typer floor: the least a Typer command-line program costs to start and run.

One command with two options that prints one line, run by ``bench.py`` with the same
interpreter as povtrack: ``python benchmarks/typer_floor.py --name a --count 2``. A one-command
Typer app needs no subcommand name. Kept tiny on purpose: it is the reference, not a feature.
"""

import typer

app = typer.Typer(add_completion=False)


@app.command()
def main(name: str = typer.Option(..., help="A name."), count: int = typer.Option(1)) -> None:
    """Print one line."""
    typer.echo(f"{name} x{count}")


if __name__ == "__main__":
    app()
