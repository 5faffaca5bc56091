"""The playground's local web server: the page's three files and a small JSON API over ``Session``.

Standard library only (``http.server.ThreadingHTTPServer``): the API is a handful of JSON routes on
one machine, so a framework would add a dependency and nothing the page needs. It binds to
127.0.0.1 by default, serves only its own files, refuses a ``Host`` header that is not the address
it serves (a web page elsewhere cannot reach it by DNS rebinding), bounds request bodies and the
number of sessions, and answers every bad parameter with HTTP 400 and a message the page shows.

    POST /api/sessions                  {"settings": {...}}  -> 201 {"id", "state"}  (a new run)
    GET  /api/sessions/<id>             -> {"state"}          (with the data points)
    POST /api/sessions/<id>/step        {"epochs": n}        -> {"state"}
    POST /api/sessions/<id>/lr          {"lr": x}            -> {"state"}  (from the next epoch on)
    POST /api/sessions/<id>/reset       -> {"state"}          (same settings, epoch 0)
    GET  /api/sessions/<id>/model.npz   the trained model, a chainrule .npz file
    GET  /api/sessions/<id>/code        the Python program that reproduces the run
    GET  /api/limits                    the bounds and choices, for the page's controls
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import webbrowser
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from .session import ACTIVATIONS, DATASETS, LIMITS, LOSSES, OPTIMIZERS, Session, Settings

MAX_BODY = 64 * 1024            # bytes of JSON one request may send
MAX_SESSIONS = 32               # the least recently used session is dropped beyond this
STATIC = {"/": ("index.html", "text/html; charset=utf-8"),
          "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
          "/static/style.css": ("style.css", "text/css; charset=utf-8")}
ROUTE = re.compile(r"^/api/sessions/([A-Za-z0-9_-]{8,64})(?:/(step|lr|reset|model\.npz|code))?$")


class HTTPError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class Sessions:
    """Sessions by id, each with its own lock (one browser tab each); at most ``MAX_SESSIONS``."""

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self.limit = limit
        self._items: OrderedDict[str, tuple[Session, threading.Lock]] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, session: Session) -> str:
        key = secrets.token_urlsafe(12)
        with self._lock:
            self._items[key] = (session, threading.Lock())
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> tuple[Session, threading.Lock]:
        with self._lock:
            if key not in self._items:
                raise HTTPError(HTTPStatus.NOT_FOUND, "unknown or expired session; reload the page to start a new one.")
            self._items.move_to_end(key)
            return self._items[key]

    def replace(self, key: str, session: Session) -> None:
        with self._lock:
            self._items[key] = (session, self._items[key][1])


class Handler(BaseHTTPRequestHandler):
    server: "PlaygroundServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:      # quiet: the terminal shows the URL only
        pass

    def do_GET(self) -> None:
        self._answer(self._get)

    def do_POST(self) -> None:
        self._answer(self._post)

    def _answer(self, route: Any) -> None:
        try:
            self._check_host()
            status, body, content_type, extra = route(self.path.split("?", 1)[0])
        except HTTPError as error:
            status, body, content_type, extra = error.status, _json({"error": str(error)}), "application/json", {}
        except ValueError as error:         # a bad setting: Settings, Session and fit say what and how to fix
            status, body, content_type, extra = HTTPStatus.BAD_REQUEST, _json({"error": str(error)}), "application/json", {}
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _check_host(self) -> None:
        allowed = self.server.allowed_hosts
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        if allowed is not None and host not in allowed:
            raise HTTPError(HTTPStatus.FORBIDDEN, f"this server answers to {sorted(allowed)} only.")

    def _get(self, path: str) -> tuple:
        if path in STATIC:
            name, content_type = STATIC[path]
            return HTTPStatus.OK, resources.files(__package__).joinpath("static", name).read_bytes(), content_type, {}
        if path == "/api/limits":
            return self._ok({"limits": LIMITS, "datasets": DATASETS, "activations": ACTIVATIONS,
                             "losses": LOSSES, "optimizers": OPTIMIZERS, "defaults": Settings().__dict__})
        key, action = self._route(path)
        session, lock = self.server.sessions.get(key)
        with lock:
            if action is None:
                return self._ok({"state": session.state(with_points=True)})
            if action == "model.npz":
                return (HTTPStatus.OK, session.model_file(), "application/octet-stream",
                        {"Content-Disposition": 'attachment; filename="playground_model.npz"'})
            if action == "code":
                return HTTPStatus.OK, session.code().encode(), "text/x-python; charset=utf-8", {}
        raise HTTPError(HTTPStatus.METHOD_NOT_ALLOWED, f"use POST for {path}.")

    def _post(self, path: str) -> tuple:
        body = self._body()
        if path == "/api/sessions":
            session = Session(Settings.checked(body.get("settings", {})))
            key = self.server.sessions.create(session)
            return self._ok({"id": key, "state": session.state(with_points=True)}, HTTPStatus.CREATED)
        key, action = self._route(path)
        session, lock = self.server.sessions.get(key)
        with lock:
            if action == "step":
                session.step(body.get("epochs", 1))
                return self._ok({"state": session.state()})
            if action == "lr":
                session.set_lr(body.get("lr"))
                return self._ok({"state": session.state()})
            if action == "reset":
                session = Session(session.settings)
                self.server.sessions.replace(key, session)
                return self._ok({"state": session.state(with_points=True)})
        raise HTTPError(HTTPStatus.METHOD_NOT_ALLOWED, f"use GET for {path}.")

    def _route(self, path: str) -> tuple[str, Any]:
        match = ROUTE.match(path)
        if match is None:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"no such page or API route: {path}")
        return match.group(1), match.group(2)

    def _body(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "Content-Length must be a number.") from None
        if length > MAX_BODY:
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_BODY} bytes.")
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"the request body is not JSON ({error}).") from None
        if not isinstance(body, dict):
            raise HTTPError(HTTPStatus.BAD_REQUEST, "the request body must be a JSON object.")
        return body

    @staticmethod
    def _ok(payload: dict[str, Any], status: HTTPStatus = HTTPStatus.OK) -> tuple:
        return status, _json(payload), "application/json", {}


def _json(payload: Any) -> bytes:
    return json.dumps(payload, allow_nan=False).encode()


class PlaygroundServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 8000) -> None:
        super().__init__((host, port), Handler)
        self.sessions = Sessions()
        # On loopback only loopback names are answered; a host chosen by the user (e.g. 0.0.0.0 on a
        # trusted network) is reached under names this process cannot know, so any is accepted there.
        loopback = {"127.0.0.1", "localhost", "::1"}
        self.allowed_hosts = loopback if host in loopback else None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = True) -> None:
    """Run the playground until Ctrl-C; print its address and open it in the default browser."""
    server = PlaygroundServer(host, port)
    print(f"chainrule playground at {server.url}  (Ctrl-C stops it)", flush=True)
    if open_browser:
        threading.Timer(0.3, webbrowser.open, args=(server.url,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
