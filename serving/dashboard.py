"""`/dashboard`: what analysts look at — charts and a triage queue over the scores database.

The HTML and JS are static files served from this package (Chart.js is vendored, so no internet is
needed); every number comes from the JSON endpoints under `/dashboard/api/`, which aggregate in the
database and paginate the queue, so the page stays fast at 100k+ scored services.
"""

# No `from __future__ import annotations`: FastAPI must see the route-local Annotated aliases.
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.concurrency import iterate_in_threadpool

from model.model_card import stored_synthetic_notice
from serving.auth import API_KEY_HEADER, Denial, KeyVerifier, denial_headers
from serving.dashboard_auth import (
    COOKIE,
    DashboardGate,
    client_address,
    gate_of,
    login_page,
    presented_key,
    require_dashboard_key,
)
from serving.plain_reasons import load_wording, plain_checklist, plain_service, value_words
from serving.scores_db import (
    GROUP_COLUMNS,
    SORT_KEYS,
    LazyScoresDb,
    Origin,
    ScoreFilters,
    ScoresDbSettings,
    ScoresRepository,
)
from serving.scores_db_check import ScoresDbMissing, open_existing_scores_db

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".md": "text/markdown"}
PREFIX = "/dashboard"


class DriftReportSettings(BaseSettings):
    """Where the latest `imr drift`/`imr retrain` drift report is: `IMR_DRIFT_REPORT` (JSON path)."""

    model_config = SettingsConfigDict(env_prefix="IMR_", env_file=".env", extra="ignore")

    drift_report: Path = Path("reports/drift/drift.json")


def _drift_panel(path: Path) -> dict[str, Any]:
    """The drift report trimmed to what the panel draws; `available: false` until one is written."""
    import json

    if not path.is_file():
        return {"available": False, "path": str(path)}
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        cols = ([report["score"]] if report.get("score") else []) + report["features"]
        return {
            "available": True,
            "path": str(path),
            "warn": report["params"]["warn"],
            "alert": report["params"]["alert"],
            "drifted": report["drifted"],
            "alerts": report["alerts"],
            "other_share_reference": report.get("other_share_reference"),
            "other_share_current": report.get("other_share_current"),
            "columns": [{k: c[k] for k in ("name", "kind", "psi", "status")} for c in cols],
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise HTTPException(status_code=500, detail=f"{path}: not a drift report ({exc})") from exc


def _filters(
    date_from: Annotated[date | None, Query(description="UR denial date from (inclusive).")] = None,
    date_to: Annotated[date | None, Query(description="UR denial date to (inclusive).")] = None,
    service_family: Annotated[str | None, Query(max_length=64)] = None,
    risk_band: Annotated[str | None, Query(max_length=32, description="Likelihood band, e.g. high.")] = None,
    ur_guideline_source: Annotated[
        str | None, Query(max_length=64, description="Guideline family UR cited, e.g. mtus.")
    ] = None,
    origin: Annotated[
        Origin,
        Query(
            description="real, synthetic (SYNTHETIC rows only) or all; the page sends real "
            "whenever real rows exist."
        ),
    ] = "all",
    model_name: Annotated[str | None, Query(max_length=128)] = None,
    model_version: Annotated[str | None, Query(max_length=64)] = None,
) -> ScoreFilters:
    if date_from and date_to and date_from > date_to:
        raise HTTPException(status_code=422, detail="date_from must not be after date_to")
    return ScoreFilters(
        date_from=date_from,
        date_to=date_to,
        service_family=service_family or None,
        risk_band=risk_band or None,
        ur_guideline_source=ur_guideline_source or None,
        synthetic=None if origin == "all" else origin == "synthetic",
        model_name=model_name or None,
        model_version=model_version or None,
    )


WORDED_COLUMNS = ("service_family", "body_region", "ur_guideline_source", "priority")


def _with_plain_reasons(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row plus its reasons in plain words (`plain`) and its categories in words (`words`);
    the stored values and raw reasons stay as they are."""
    return {
        **row,
        "plain": plain_service(row["top_reasons"]).model_dump(),
        "words": {c: value_words(row[c]) for c in WORDED_COLUMNS},
    }


def _with_plain_checklist(row: dict[str, Any]) -> dict[str, Any]:
    """A case row plus its checklist in plain words (`plain_checklist`: summary line, criteria, what-ifs
    by gain, context factors), or None when the row was scored without one."""
    plain = plain_checklist(
        row.get("checklist"), context=row.get("context"), summary=row.get("summary"),
        likelihood=row.get("probability"),
    )  # fmt: skip
    return {**row, "plain_checklist": None if plain is None else plain.model_dump()}


def calibration_note(points: list[dict[str, Any]], metrics: dict[str, Any]) -> str:
    """The words under the calibration chart: where its points came from and how many services each bin
    holds. The page said "a bin of held-out cases" for every curve, also for the one `imr score` draws from
    the labelled letters it scored (which may be letters the model trained on)."""
    if not points:
        return "No calibration curve recorded for this model."
    counts = [int(p.get("count") or 0) for p in points]
    source = metrics.get("reliability_source")
    n_scored = metrics.get("reliability_services")
    oof = "training out-of-fold (cross-fitted)"  # training.train's words, maybe + ", real rows only"
    if isinstance(source, str) and source.startswith(oof):
        where = (f"out of fold in the model's training{source.removeprefix(oof)}: each case predicted by a "
                 "model fitted without it")
    elif isinstance(source, str) and source:
        where = f"from the model's record ({source}); whether its cases were held out is not recorded"
    elif isinstance(n_scored, int | float):
        where = (f"from the {int(n_scored):,} services with a known decision that `imr score` scored with "
                 "this model; they may include letters it was trained on, so the curve may look better "
                 "than it is")
    else:
        where = "source not recorded"
    text = f"Each point: mean predicted vs observed overturn rate in one bin, {where}."
    if any(counts):
        small = sum(1 for n in counts if 0 < n < 30)
        text += f" Services per bin: {', '.join(f'{n:,}' for n in counts)}"
        text += (f" ({small} bin{'s' if small > 1 else ''} under 30: little to go on)." if small else ".")
    skip = {"reliability_services", "synthetic"}
    numbers = [f"{k} {float(v):.3f}" for k, v in metrics.items()
               if isinstance(v, int | float) and not isinstance(v, bool) and k not in skip][:4]  # fmt: skip
    if numbers:
        text += " " + ", ".join(numbers) + "."
    return text


SIGN_OUT = (
    '<form method="post" action="{{base}}/logout" class="signout">'
    '<button id="signout">Sign out</button></form>'
)


def _page(name: str, signed_in: bool = False) -> HTMLResponse:
    html = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    html = html.replace("{{signout}}", SIGN_OUT if signed_in else "")
    return HTMLResponse(html.replace("{{base}}", PREFIX), headers={"Cache-Control": "no-store"})


def build_dashboard_router(db: LazyScoresDb, include_in_schema: bool = True) -> APIRouter:
    """All dashboard routes; the database is opened (and migrated) on the first request."""
    router = APIRouter(prefix=PREFIX, tags=["dashboard"], include_in_schema=include_in_schema)
    # JSON routes: a key with the `dashboard` scope when the gate is closed (401/403 otherwise).
    api = APIRouter(prefix="/api", dependencies=[Depends(require_dashboard_key)])
    Filters = Annotated[ScoreFilters, Depends(_filters)]

    def repo() -> ScoresRepository:
        """The database for reading: a missing one is a 503 naming it, never a new empty file."""
        try:
            return db.get(open_existing_scores_db)
        except ScoresDbMissing as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc

    Repo = Annotated[ScoresRepository, Depends(repo)]

    async def page_or_login(request: Request, name: str) -> Response:
        """The page, or why not: a browser (no key, or a cookie) goes to the sign-in form; a script that
        sent `X-API-Key` is answered as the JSON routes answer it (401/403/429 naming the reason), since
        a sign-in form is no answer to a key that lacks the scope."""
        gate = gate_of(request)
        outcome = await gate.check(presented_key(request), client_address(request))
        if isinstance(outcome, Denial):
            if request.headers.get(API_KEY_HEADER):
                raise HTTPException(outcome.status_code, outcome.reason, headers=denial_headers(outcome))
            return gate.login_redirect(request)
        return _page(name, signed_in=not gate.open)

    @router.get("", response_class=HTMLResponse, include_in_schema=False)
    async def dashboard_page(request: Request) -> Response:
        return await page_or_login(request, "dashboard.html")

    @router.get("/case/{letter_id}", response_class=HTMLResponse, include_in_schema=False)
    async def case_page(request: Request, letter_id: str) -> Response:
        return await page_or_login(request, "case.html")

    @router.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str | None = None) -> Response:
        gate = gate_of(request)
        if gate.open:
            return RedirectResponse(gate.safe_next(next), status.HTTP_303_SEE_OTHER)
        return login_page(TEMPLATE_DIR / "login.html", gate, next or PREFIX)

    @router.post("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login(
        request: Request,
        key: Annotated[str, Form(max_length=512)] = "",
        next: Annotated[str, Form(max_length=2048)] = PREFIX,
    ) -> Response:
        """Check the key; on success keep it in an HttpOnly, SameSite=Strict cookie for this session."""
        gate = gate_of(request)
        outcome = await gate.check(key, client_address(request))
        if isinstance(outcome, Denial):
            return login_page(TEMPLATE_DIR / "login.html", gate, next, outcome)
        out = RedirectResponse(gate.safe_next(next), status.HTTP_303_SEE_OTHER)
        if not gate.open:
            secure = request.url.scheme == "https"
            out.set_cookie(COOKIE, key, httponly=True, samesite="strict", path=PREFIX, secure=secure)
        return out

    @router.post("/logout", include_in_schema=False)
    def logout() -> Response:
        out = RedirectResponse(PREFIX + "/login", status.HTTP_303_SEE_OTHER)
        out.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return out

    @router.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> FileResponse:
        path = STATIC_DIR / name
        # Only plain files directly inside static/ (no traversal, no subfolders).
        if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
            raise HTTPException(status_code=404, detail=f"no static file {name!r}")
        media = STATIC_TYPES.get(path.suffix, "application/octet-stream")
        return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=3600"})

    @api.get("/filters")
    def filter_options(r: Repo) -> dict[str, Any]:
        """Filter choices: model versions (newest first, each with `model_synthetic_only`), service
        families, UR denial date bounds; `synthetic_model_notice`: the banner over a SYNTHETIC-only
        model's scores."""
        models = r.models()  # newest scoring first: the first is the current model
        opts = r.filter_options()
        labels = {v: value_words(v) for v in [*opts["service_families"], *opts["ur_guideline_sources"]]}
        return {**opts, "labels": labels, "models": models, "current_model": models[0] if models else None,
                "synthetic_model_notice": stored_synthetic_notice()}  # fmt: skip

    @api.get("/drift")
    def drift_report() -> dict[str, Any]:
        """PSI per feature and for the score from the latest drift report, with the thresholds."""
        return _drift_panel(DriftReportSettings().drift_report)

    @api.get("/summary")
    def summary(r: Repo, f: Filters) -> dict[str, Any]:
        return r.summary(f)

    @api.get("/distribution")
    def distribution(r: Repo, f: Filters, bins: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
        return {"bins": r.distribution(f, bins)}

    @api.get("/groups/{by}")
    def groups(
        r: Repo, f: Filters, by: str, limit: Annotated[int, Query(ge=1, le=200)] = 30
    ) -> dict[str, Any]:
        if by not in GROUP_COLUMNS:
            raise HTTPException(
                status_code=404, detail=f"unknown grouping {by!r}; use {', '.join(GROUP_COLUMNS)}"
            )
        return {"by": by, "groups": r.by_group(f, by, limit)}

    @api.get("/monthly")
    def monthly(r: Repo, f: Filters) -> dict[str, Any]:
        return {"months": r.by_month(f)}

    @api.get("/queue")
    def queue(
        r: Repo,
        f: Filters,
        page: Annotated[int, Query(ge=1, description="From 1; past the end gives the last page.")] = 1,
        page_size: Annotated[int, Query(ge=1, le=500)] = 25,
        sort: Annotated[str, Query(description="Column to sort by: " + ", ".join(SORT_KEYS))] = "probability",
        order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    ) -> dict[str, Any]:
        """One page of the triage queue, sorted in the database, with what it shows: rows `first`-`last`
        of `total` matching, `in_all` for the same model and origin before the other filters."""
        if sort not in SORT_KEYS:
            detail = f"cannot sort by {sort!r}; use {', '.join(SORT_KEYS)}"
            raise HTTPException(status_code=422, detail=detail)
        out = r.queue(f, page, page_size, sort=sort, descending=order == "desc")
        out["items"] = [_with_plain_reasons(row) for row in out["items"]]
        return out

    @api.get("/calibration")
    def calibration(
        r: Repo,
        model_name: Annotated[str | None, Query(max_length=128)] = None,
        model_version: Annotated[str | None, Query(max_length=64)] = None,
    ) -> dict[str, Any]:
        """The reliability curve of the given model (default: the one that scored most recently)."""
        if not (model_name and model_version):
            current = r.current_model()
            if current is None:
                return {"model": None, "calibration": [], "metrics": {}}
            model_name, model_version = current["model_name"], current["model_version"]
        run = r.model_run(model_name, model_version)
        if run is None:
            return {
                "model": {"model_name": model_name, "model_version": model_version},
                "calibration": [],
                "metrics": {},
            }
        return {
            "model": {"model_name": model_name, "model_version": model_version},
            "calibration": run["calibration"],
            "metrics": run["metrics"],
            "registered_at": run["registered_at"],
            "note": calibration_note(run["calibration"], run["metrics"] or {}),
        }

    @api.get("/case/{letter_id}")
    def case_detail(r: Repo, letter_id: str) -> dict[str, Any]:
        rows = r.case_rows(letter_id)
        if not rows:
            raise HTTPException(status_code=404, detail=f"no scored services for letter {letter_id!r}")
        return {
            "letter_id": letter_id,
            "services": [_with_plain_checklist(_with_plain_reasons(row)) for row in rows],
            "section_words": load_wording().sections,  # letter sections in words, for the checklist
            "synthetic_model_notice": stored_synthetic_notice(),  # shown over rows `model_synthetic_only`
        }

    @api.get("/export.csv")
    def export_csv(r: Repo, f: Filters) -> StreamingResponse:
        """The filtered table as CSV, streamed (never built in memory)."""
        return StreamingResponse(
            iterate_in_threadpool(r.iter_export_csv(f)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="imr-scores.csv"'},
        )

    router.include_router(api)
    return router


def include_dashboard(
    app: FastAPI,
    scores_db_url: str | None = None,
    include_in_schema: bool = False,
    verifier: KeyVerifier | None = None,
) -> LazyScoresDb:
    """Mount the dashboard on `app` and expose the scores database as `app.state.scores_db`.

    The URL defaults to `IMR_SCORES_DB_URL` (SQLite `scores.db` when unset); nothing is opened until
    the first dashboard request. The API's scoring routes may write through
    `app.state.scores_db.get().save_scores(...)`. Kept out of the scoring API's OpenAPI by default:
    these JSON routes serve the page, not triage tools. With a `verifier`, pages and data need a key
    with the `dashboard` scope (serving.dashboard_auth); without one the dashboard is open.
    """
    db = LazyScoresDb(scores_db_url or ScoresDbSettings().scores_db_url)
    app.state.scores_db = db
    app.state.dashboard_gate = DashboardGate(PREFIX, verifier)
    app.include_router(build_dashboard_router(db, include_in_schema))
    return db


def create_dashboard_app(scores_db_url: str | None = None, verifier: KeyVerifier | None = None) -> FastAPI:
    """A dashboard-only app (no model needed): used by tests, the benchmark and `imr dashboard`-style runs."""
    app = FastAPI(title="imr-triage dashboard")
    include_dashboard(app, scores_db_url, include_in_schema=True, verifier=verifier)
    return app
