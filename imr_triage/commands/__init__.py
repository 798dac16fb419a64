"""Subcommand registry: each module defines `register(app)`; add new modules to `_MODULES`."""

from __future__ import annotations

import importlib
import inspect

import typer

_MODULES: list[str] = [
    # one line per command module, e.g. "imr_triage.commands.parse"
    "imr_triage.commands.serve",
    "imr_triage.commands.explain",
    "imr_triage.commands.fetch",
    "imr_triage.commands.synth",
    "imr_triage.commands.parse",
    "imr_triage.commands.features",
    "imr_triage.commands.train",
    "imr_triage.commands.evaluate",
    "imr_triage.commands.register",
    "imr_triage.commands.evaluate_real",
    "imr_triage.commands.score",
    "imr_triage.commands.retrain",
    "imr_triage.commands.drift",
    "imr_triage.commands.ingest_dmhc",
    "imr_triage.commands.benchmark_dmhc",
    "imr_triage.commands.check_letters",
]


def register_all(app: typer.Typer) -> None:
    for name in _MODULES:
        importlib.import_module(name).register(app)
    _plain_option_help(app)


def _plain_option_help(app: typer.Typer) -> None:
    """Escape Rich markup in every option's help, so `--help` shows it as written: help texts say where
    a default comes from in brackets ("[params: explain.model]", "[env IMR_SCORES_DB_URL]"), which Rich
    would otherwise read as style tags and silently drop."""
    from rich.markup import escape
    from typer.models import ParameterInfo

    for command in app.registered_commands:
        for parameter in inspect.signature(command.callback).parameters.values():
            info = parameter.default
            if isinstance(info, ParameterInfo) and info.help:
                info.help = escape(info.help)
