"""Who may see `/dashboard`: a key with the `dashboard` scope, from a sign-in form (kept in an HttpOnly
cookie) or the `X-API-Key` header (scripts fetching the CSV export).

The dashboard lists letter ids, services and scores, so in production mode it is closed like the API
(setting `dashboard_auth`, default: on in production, off in development). The cookie holds the key
itself, not a session: every worker process checks it against the same hashed entries, so nothing has
to be shared between workers and a revoked key stops working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from serving.api_keys import ApiKeyEntry
from serving.auth import API_KEY_HEADER, Denial, KeyVerifier, check_key

SCOPE = "dashboard"
COOKIE = "imr_dashboard_key"
MAX_KEY_CHARS = 512
SIGN_IN_HINT = "sign in with an API key that has the 'dashboard' scope"


@dataclass(frozen=True)
class DashboardGate:
    """`verifier` None: the dashboard is open (development mode)."""

    prefix: str
    verifier: KeyVerifier | None = None

    @property
    def open(self) -> bool:
        return self.verifier is None

    async def check(self, key: str | None, client: str | None = None) -> Denial | ApiKeyEntry | None:
        """The key's entry when it may see the dashboard, a `Denial` when not; None when open. `client`:
        the caller's address, so failed sign-ins are rate-limited per caller like the API's."""
        if self.verifier is None:
            return None
        if key and len(key) > MAX_KEY_CHARS:
            return Denial(401, "invalid API key")
        return await check_key(self.verifier, key, SCOPE, SIGN_IN_HINT, client)

    def safe_next(self, target: str | None) -> str:
        """Where to go after signing in: a dashboard path only (never another site)."""
        if target and target.startswith(self.prefix) and not target.startswith("//") and "\\" not in target:
            return target
        return self.prefix

    def login_redirect(self, request: Request) -> RedirectResponse:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = f"{self.prefix}/login?next={quote(here, safe='/')}"
        return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def presented_key(request: Request) -> str | None:
    return request.headers.get(API_KEY_HEADER) or request.cookies.get(COOKIE)


def gate_of(request: Request) -> DashboardGate:
    gate: DashboardGate = request.app.state.dashboard_gate
    return gate


async def require_dashboard_key(request: Request) -> None:
    """Dependency of the dashboard's JSON routes: 401 without a usable key, 403 without the scope."""
    gate = gate_of(request)
    if gate.open:
        return
    outcome = await gate.check(presented_key(request), client_address(request))
    if isinstance(outcome, Denial):
        raise HTTPException(status_code=outcome.status_code, detail=outcome.reason)
    if outcome is not None:
        request.state.api_key_name = outcome.name


def login_page(
    template: Path, gate: DashboardGate, next_path: str, denial: Denial | None = None
) -> HTMLResponse:
    """The sign-in form (status 401/403 with the reason when a sign-in was refused)."""
    error = f'<p class="error" id="login-error" role="alert">{escape(denial.reason)}</p>' if denial else ""
    html = (
        template.read_text(encoding="utf-8")
        .replace("{{base}}", gate.prefix)
        .replace("{{next}}", escape(gate.safe_next(next_path), quote=True))
        .replace("{{error}}", error)
    )
    code = denial.status_code if denial else 200
    return HTMLResponse(html, status_code=code, headers={"Cache-Control": "no-store"})
