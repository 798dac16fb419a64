"""`imr ingest-dmhc`: the DMHC health-plan IMR trend CSV -> typed records and the DMHC feature table.

Malformed rows are reported (file, line, Reference ID, reason) and skipped; the good rows are kept.
"""

from __future__ import annotations

from pathlib import Path

import typer


def ingest_dmhc(
    csv_path: Path = typer.Argument(..., help="DMHC IMR determinations trend CSV (';'-separated)."),
    out: Path = typer.Option(Path("data/dmhc"), "--out", "-o", help="Output directory."),
    max_errors_shown: int = typer.Option(
        20, help="Malformed rows printed (all are written to errors.jsonl)."
    ),
) -> None:
    """Write records.jsonl (one case per Reference ID), features.parquet and errors.jsonl."""
    import json

    from features.dmhc_features import dmhc_feature_table, load_dmhc_spec
    from imr_triage.cli_input import fail, one_line, require_file, writable_dir
    from letters.dmhc import read_dmhc_csv, to_case

    require_file(csv_path, "DMHC trend CSV")
    try:
        batch = read_dmhc_csv(csv_path)
    except ValueError as exc:  # its messages start with the file
        fail(str(exc).splitlines()[0])
    except UnicodeDecodeError as exc:
        fail(f"{csv_path}: not UTF-8 text ({one_line(exc)})")
    writable_dir(out)
    with (out / "records.jsonl").open("w", encoding="utf-8") as fh:
        for row in batch.rows:
            fh.write(
                json.dumps({"case": to_case(row).model_dump(mode="json"), "dmhc": row.model_dump()}) + "\n"
            )
    with (out / "errors.jsonl").open("w", encoding="utf-8") as fh:
        for err in batch.errors:
            fh.write(json.dumps(err.__dict__) + "\n")
    table = dmhc_feature_table(batch.rows, load_dmhc_spec())
    table.to_parquet(out / "features.parquet", index=False)
    for err in batch.errors[:max_errors_shown]:
        typer.echo(f"malformed row: {err.message()}", err=True)
    rate = float(table["overturned"].mean()) if len(table) else float("nan")
    typer.echo(
        f"{len(batch.rows)} cases ({len(batch.errors)} malformed rows skipped), overturned {rate:.3f} "
        f"-> {out}/records.jsonl, {out}/features.parquet"
    )


def register(app: typer.Typer) -> None:
    app.command("ingest-dmhc")(ingest_dmhc)
