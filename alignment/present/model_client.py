"""The app kernels' side of the shared model service (:mod:`alignment.present.model_service`).

:class:`RemoteAligner` answers ``suggest`` like a fitted
:class:`~alignment.align.aligner.Aligner` and :class:`RemoteFixFinder` answers
``best_courses`` like :class:`~alignment.analysis.fixes.FixFinder`, by asking the
service; the apps use them without knowing (see :mod:`alignment.ui.session`).
``RemoteAligner.gap_panel`` returns the service's gap panel of a school pathway
(computed once per server, not once per kernel), or None when the app must compute it. Importing
this module loads neither spaCy nor the sentence model: that is the point.

Errors: the service's own message (a bad course names its row, as the CLI would) is
raised as :class:`ServiceError`; a service that cannot be reached says so and what to
do (``pathway-align serve`` starts it).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable

import pandas as pd

from alignment.present.model_service import (SECRET_HEADER, GapPanel, frame_from_json, frame_to_json,
                                             pathway_fingerprint, pathway_from_payload)


class ServiceError(RuntimeError):
    """The model service refused or failed a request; the message says why."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class ServiceClient:
    """Requests to one model service (``url``: ``http://127.0.0.1:<port>``, with its secret)."""

    def __init__(self, url: str, secret: str, timeout: float = 300):
        self.url = url.rstrip("/")
        self.secret = secret
        self.timeout = timeout

    def _request(self, path: str, payload: dict | None = None, timeout: float | None = None) -> dict:
        data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method="GET" if data is None else "POST",
                                         headers={SECRET_HEADER: self.secret, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error") or str(exc)
            except ValueError:
                message = str(exc)
            raise ServiceError(message, exc.code) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceError(f"the model service at {self.url} cannot be reached ({reason}); restart "
                               "pathway-align serve") from None

    def health(self, timeout: float = 5) -> dict:
        return self._request("/health", timeout=timeout)

    def wait_ready(self, timeout: float = 600, poll: float = 0.5,
                   on_wait: Callable[[dict], None] | None = None) -> dict:
        """Wait until the service has loaded its models; raise its loading error, or
        :class:`ServiceError` after ``timeout`` seconds. ``on_wait(health)`` is called
        while it loads (an app shows "loading the models")."""
        deadline = time.monotonic() + timeout
        while True:
            health = self.health()
            if health.get("ready") and not health.get("reloading"):
                return health
            if health.get("error"):
                raise ServiceError(f"the model service could not load the models: {health['error']}")
            if time.monotonic() > deadline:
                raise ServiceError(f"the model service was not ready within {timeout:.0f} s")
            if on_wait is not None:
                on_wait(health)
            time.sleep(poll)

    def standards(self) -> pd.DataFrame:
        """The standards table the service's models were fitted on, with its column types."""
        answer = self._request("/standards")
        table = frame_from_json(answer["standards"])
        return table.astype(answer["dtypes"]) if len(table.columns) else table

    def pathways(self) -> list | None:
        """The school pathways the service loaded (None: its pathways file did not load)."""
        school = self._request("/pathways")["pathways"]
        return None if school is None else [pathway_from_payload(p) for p in school]

    def reload(self) -> dict:
        """Ask the service to load the standards and fit the models again (after an import
        into the standards library); it answers from the old ones meanwhile."""
        return self._request("/reload", {})

    def suggest(self, courses: pd.DataFrame, top_k: int | None = None, frameworks: list[str] | None = None) -> pd.DataFrame:
        payload = {"courses": json.loads(frame_to_json(courses)), "top_k": top_k,
                   "frameworks": list(frameworks) if frameworks else None}
        return frame_from_json(self._request("/suggest", payload)["suggestions"])

    def best_courses(self, standard_ids: list[str], n: int) -> pd.DataFrame:
        payload = {"standard_ids": [str(s) for s in standard_ids], "n": int(n)}
        return frame_from_json(self._request("/fixes", payload)["fixes"])

    def gap_panel(self, name: str, fingerprint: str) -> GapPanel | None:
        """The service's gap panel of the school pathway ``name`` (with the courses
        ``fingerprint`` says), or None when it has none (404)."""
        try:
            answer = self._request("/gaps", {"pathway": name, "fingerprint": fingerprint})
        except ServiceError as exc:
            if exc.status == 404:
                return None
            raise
        return GapPanel(answer["pathway"], [str(n) for n in answer["notes"]],
                        frame_from_json(answer["pathway_gaps"]), frame_from_json(answer["anchor_gaps"]),
                        str(answer.get("edition_label") or ""))


class RemoteAligner:
    """A fitted Aligner's ``suggest``, answered by the shared service."""

    def __init__(self, client: ServiceClient, top_k: int = 5):
        self.client = client
        self.top_k = top_k

    def suggest(self, courses: pd.DataFrame, top_k: int | None = None, frameworks: list[str] | None = None) -> pd.DataFrame:
        return self.client.suggest(courses, top_k or self.top_k, frameworks)

    def gap_panel(self, pathway) -> GapPanel | None:
        """The gap panel of a school pathway (:class:`~alignment.data.pathways.Pathway`) as
        the service computed it, or None when the service knows no such pathway."""
        return self.client.gap_panel(pathway.name, pathway_fingerprint(pathway))


class RemoteFixFinder:
    """``FixFinder.best_courses`` over the service's catalog (the server's configured one)."""

    def __init__(self, client: ServiceClient, n_courses: int = 3):
        self.client = client
        self.n_courses = n_courses

    def best_courses(self, standard_ids: list[str], n: int | None = None) -> pd.DataFrame:
        return self.client.best_courses(standard_ids, n or self.n_courses)
