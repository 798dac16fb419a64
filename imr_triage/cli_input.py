"""Reading a command's inputs with one clear line per problem instead of a traceback.

Every `imr` command reads some of: its params.yaml section, a feature table, a model. Each helper
here names the file (or params key) and the problem, prints it on stderr and exits non-zero, so a
user sees `error: data/feat.parquet: not a parquet file (...)`, never a stack of library frames.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from training.error_line import one_line  # one wording for the commands and training (retrain)

EXIT_INPUT = 2  # bad input (a file, an option, a params value); 1 is a run that failed part-way
M = TypeVar("M", bound=BaseModel)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print `error: message` on stderr (one line, no markup) and exit with `code`."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise typer.Exit(code)


def validation_message(exc: ValidationError, prefix: str) -> str:
    """`prefix.key: what is wrong` for the first error of a pydantic validation."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in (prefix, *err.get("loc", ())) if p != "")
    return f"{where}: {err.get('msg', 'invalid value')}"


def require_dir(path: Path, what: str) -> Path:
    """`path` when it is a folder; else one line, `error: PATH: no such folder (WHAT)` (or `not a
    folder`), and exit 2: a mistyped path is bad input, not a usage error to box."""
    if not path.is_dir():
        fail(f"{path}: {'not a folder' if path.exists() else 'no such folder'} ({what})")
    return path


def require_letters_in(folder: Path, what: str) -> Path:
    """`folder` when it is a folder holding at least one letter (.pdf or .txt, searched as `imr parse`
    searches); else one line and exit 2: an empty folder is bad input, not a run that failed part-way."""
    from letters.ingest import expand_inputs

    require_dir(folder, what)
    files, missing = expand_inputs([folder])
    if not files:
        fail(f"{folder}: {missing[0].reason if missing else 'no letters there'} ({what})")
    return folder


def require_file(path: Path, what: str) -> Path:
    """`path` when it is a file; else one line, `error: PATH: no such file (WHAT)` (or `not a file`)."""
    if not path.is_file():
        fail(f"{path}: {'not a file' if path.exists() else 'no such file'} ({what})")
    return path


def writable_dir(path: Path, what: str = "the output folder") -> Path:
    """Create the output folder `path` (and its parents) now and write a scratch file in it, or say in
    one line why it cannot be: checked before the work, so a long run never ends in a traceback."""
    if path.exists() and not path.is_dir():
        fail(f"{path}: not a folder ({what})")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file in the way, no permission, read-only file system
        fail(f"{path}: cannot create {what} ({exc.strerror or one_line(exc)})")
    _can_write_in(path, path, what)
    return path


def _can_write_in(folder: Path, named: Path, what: str) -> None:
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".imr-write-check-"):
            pass
    except OSError as exc:  # read-only or immutable folder, full disk
        fail(f"{named}: cannot write {what} there ({exc.strerror or one_line(exc)})")


def require_writable(path: Path, what: str, *, folder: bool) -> Path:
    """`path` when it can be written later (a folder to write into, or a file to write or replace), checked
    without leaving anything behind (unlike `writable_dir`, no folder is made: a scratch file is written and
    removed in the nearest existing one); else one line naming it and the problem, and exit 2: a file where
    a folder must go (or the reverse), a parent that is a file, a folder that takes no new file."""
    if path.exists() and path.is_dir() != folder:
        fail(f"{path}: {'not a folder' if folder else 'a folder, not a file'} ({what})")
    where = path if folder and path.exists() else path.parent  # a file is replaced through its folder
    while not where.exists():  # what would be created: its nearest existing parent must allow it
        where = where.parent
    if not where.is_dir():
        fail(f"{path}: cannot be created, {where} is not a folder ({what})")
    _can_write_in(where, path, what)
    return path


_WARNED_NO_PARAMS: set[Path] = set()
PACKAGED_PARAMS = Path(__file__).with_name("params.yaml")
"""A link to the repository's params.yaml, installed with the package: the settings `imr` runs with wherever
it is started from (the built-in defaults are another recipe for `train --letters` and `evaluate-real`)."""


def read_params(path: Path) -> dict[str, Any]:
    """params.yaml as a dict; a malformed one is one clear line.

    Run outside the repository root (no params.yaml in the current folder, none named), the repository's
    params.yaml installed with the package applies, said once on stderr. A file named with `--params` that
    does not exist gives the built-in defaults (tests pass `--params absent.yaml` for exactly that), which
    are not the repository's settings: said once on stderr instead of silently running with others."""
    from training.params import DEFAULT_PARAMS, load_params

    packaged = not path.exists() and path == DEFAULT_PARAMS and PACKAGED_PARAMS.is_file()
    if not path.exists() and path.absolute() not in _WARNED_NO_PARAMS:  # once per file and process
        _WARNED_NO_PARAMS.add(path.absolute())
        if packaged:
            said = (f"note: no {path} in {Path.cwd()}; "
                    f"using the repository's settings ({PACKAGED_PARAMS.resolve()})")
        else:
            said = (f"warning: {path.absolute()}: no params file there; every setting takes its built-in "
                    "default, not the repository's params.yaml "
                    "(run from the repository root or pass --params FILE)")
        print(said, file=sys.stderr, flush=True)
    if packaged:
        path = PACKAGED_PARAMS
    try:
        return load_params(path)
    except Exception as exc:  # noqa: BLE001 - YAML errors, a top-level list, unreadable file
        fail(f"{path}: cannot read params ({one_line(exc)})")


def params_section(model: type[M], params_file: Path, name: str, **overrides: Any) -> M:
    """Validate one params.yaml section (merged over `base:`, then CLI overrides) into `model`."""
    from training.params import section

    try:
        return model(**{**section(read_params(params_file), name), **overrides})
    except ValidationError as exc:
        fail(f"{params_file}: {validation_message(exc, name)}")


def read_feature_table(path: Path, what: str = "feature table") -> Any:
    """A parquet feature table (file or `--dask` dataset folder), or one line saying why not."""
    from training.distributed import read_feature_table as read

    if not path.exists():
        fail(f"{path}: {what} not found")
    try:
        return read(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a non-parquet file
        fail(f"{path}: not a readable parquet {what} ({one_line(exc)})")


TRACKING_URI_HELP = ("MLflow tracking URI for a models:/ or runs:/ URI [env MLFLOW_TRACKING_URI; "
                     "default sqlite:///mlflow.db, which must exist].")
REGISTRY_SCHEMES = ("models:/", "runs:/")  # model URIs that only a tracking store can resolve


def store_for(model_uri: str, tracking_uri: str | None) -> str | None:
    """The MLflow store that resolves `model_uri` (--tracking-uri, else MLFLOW_TRACKING_URI, else the
    project's sqlite:///mlflow.db, as `imr register` writes it), None for a URI that needs none (a path); one
    line and exit 2 when that store is an SQLite file that is not there. Reading a model never creates a
    store: MLflow would make an empty database in the current folder and then report the model missing."""
    from training.tracking import resolve_tracking_uri

    if not model_uri.startswith(REGISTRY_SCHEMES):
        return None
    uri = resolve_tracking_uri(tracking_uri)
    if uri.startswith("sqlite:///"):
        db = Path(uri.removeprefix("sqlite:///"))
        if not db.is_file():
            fail(f"{uri}: no MLflow store there (no file {db}), so {model_uri} cannot be found in it; pass "
                 "--tracking-uri URI or set MLFLOW_TRACKING_URI")  # fmt: skip
    return uri


def load_model(
    model: Path | None, model_uri: str | None, default: Path, tracking_uri: str | None = None
) -> tuple[Any, str]:
    """A TriageModel from a directory or an MLflow URI, with where it came from; one line on failure."""
    from model.artifact import TriageModel, load_from_mlflow

    if model_uri:
        import mlflow

        store = store_for(model_uri, tracking_uri)
        if store is not None:
            mlflow.set_tracking_uri(store)
        try:
            return load_from_mlflow(model_uri), model_uri
        except Exception as exc:  # noqa: BLE001 - registry or download errors, named once
            fail(f"{model_uri}: cannot load the model ({one_line(exc)})")
    path = model or default
    if not path.exists():
        fail(
            f"{path}: no model there; train one (`make demo` / `dvc repro`) or pass --model PATH or "
            "--model-uri models:/imr-overturn@champion"
        )
    try:
        return TriageModel.load(path), str(path)
    except (OSError, ValueError) as exc:
        fail(str(exc).splitlines()[0])


def holdout_frames(features: Path, model_dir: Path, holdout: Path) -> Any:
    """The train/holdout frames `imr train` left (for evaluate and register), or one line saying why not."""
    from training.holdout_data import load_holdout_frames

    try:
        return load_holdout_frames(features, model_dir, holdout)
    except (OSError, ValueError) as exc:  # missing files, a damaged model, a holdout of another table
        fail(str(exc).splitlines()[0])
    except Exception as exc:  # noqa: BLE001 - e.g. pyarrow on a file that is not parquet
        fail(f"{features}: cannot read it with the holdout {holdout} ({one_line(exc)})")
