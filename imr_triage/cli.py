"""The `imr` command line: the one place that ties features, training and serving together.

Each subcommand lives in its own module under `imr_triage.commands` and imports the heavy
libraries only when it runs, so `imr --help` and `imr --version` stay fast.
"""

from __future__ import annotations

import typer

from imr_triage import __version__
from imr_triage.commands import register_all

app = typer.Typer(
    name="imr",
    help="imr-triage: predict whether an IMR will overturn a UR denial, per disputed service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"imr-triage {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """imr-triage command line."""
    from imr_triage.progress import quiet_mlflow_download_bars

    quiet_mlflow_download_bars()  # for every command, whether or not it draws a bar of its own


register_all(app)

if __name__ == "__main__":  # `python -m imr_triage.cli ...` runs the same app as `imr`
    app()
