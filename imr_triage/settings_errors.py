"""One line for settings that do not validate: each problem named by the environment variable (or the
command-line option) it came from, never by the internal field name, and never echoing the value (an API
key entry holds a hash). pydantic's own text is several lines naming `workers`, with a URL."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsError

S = TypeVar("S", bound=BaseSettings)


def settings_error(
    exc: ValidationError | SettingsError, settings: type[BaseSettings], options: Collection[str] = ()
) -> str:
    """`IMR_SERVE_WORKERS: Input should be greater than or equal to 1; ...`. A field in `options` was
    given on the command line, so it is named as its option (`--port`)."""
    prefix = str(settings.model_config.get("env_prefix") or "")
    if isinstance(exc, SettingsError):  # a list setting that is not JSON: pydantic-settings names the field
        found = re.search(r'field "(\w+)"', str(exc))
        name = (prefix + found.group(1)).upper() if found else "a setting"
        why = f" ({exc.__cause__})" if exc.__cause__ is not None else ""
        return f"{name}: not valid JSON{why}; list settings are JSON, e.g. '[0.2, 0.6]'"
    parts = []
    for e in exc.errors(include_input=False, include_url=False):
        loc = e.get("loc", ())
        msg = str(e.get("msg", "invalid value")).removeprefix("Value error, ")
        field = loc[0] if loc else None
        if not isinstance(field, str) or field not in settings.model_fields:
            parts.append(msg)  # a check of several settings: its message names them
            continue
        name = f"--{field.replace('_', '-')}" if field in options else (prefix + field).upper()
        rest = ".".join(str(x) for x in loc[1:])
        parts.append(f"{name}{f' (at {rest})' if rest else ''}: {msg}")
    return "; ".join(parts)


def read_settings(settings: type[S]) -> S:
    """The settings from the environment (and `.env`), or one `error:` line naming the variables, exit 2."""
    from imr_triage.cli_input import fail

    try:
        return settings()
    except (ValidationError, SettingsError) as exc:
        fail(f"invalid settings: {settings_error(exc, settings)}")
