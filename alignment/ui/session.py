"""What one app kernel shares: its settings, its loaded models, and who is using it.

**Settings** are :class:`alignment.settings.Settings`, loaded by
:func:`alignment.settings.load_settings` at call time, never at import. ``pathway-align
serve`` hands its own (command line, environment, configuration file) to the kernels as
``PATHWAY_ALIGN_*`` variables (a Voila kernel inherits the server's environment); the
apps read ``catalog``, ``standards``, ``pathways``, ``review_db``, ``cache_dir``,
``top_k``, ``team``, the input limits and ``standards_library_dir`` (the bundle is merged
with the standards library when no ``standards`` file is set; ``docs/configuration.md``).

**Models.** Under ``pathway-align serve`` the models live in ONE process per server, the
model service (:mod:`alignment.present.model_service`; the settings ``service_url`` and
``service_secret``, which the launcher hands to its kernels): :func:`get_aligner` returns
a :class:`~alignment.present.model_client.RemoteAligner` that asks it, so a kernel holds
only widgets, the session's state and the small tables (standards, catalog, pathways),
and a new tab is ready in seconds. Without those settings (notebooks, tests, the CLI)
the models are loaded in this process, once, as before. Either way they are cached at
module level, behind a lock; :func:`warm_up` gets them in a background thread so an app
can show "loading models..." (the service may still be loading right after the server
started) while the page is already usable.

**Identity.** In team mode the launcher's Voila ``prelaunch_hook`` (see
``alignment.present.serve``) puts one line at the top of the notebook before the kernel runs it:
``set_identity(<name>, verified=True)``, with the name of the user the Jupyter server
authenticated. Voila lets a browser send only widget (comm) messages to a kernel, never
code, so nothing but that server-written line can set the identity; and the review app
reads the name from here, never from a widget a browser could change.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from alignment.settings import Settings, load_settings

#: Where the review store lives unless configured otherwise (``reviews/`` ignores itself in git).
DEFAULT_REVIEW_DB = Settings().review_db
DEFAULT_TOP_K = Settings().top_k


def settings() -> Settings:
    """The apps' settings, read now (see the module docstring); a bad value raises
    :class:`~alignment.settings.SettingsError` naming the variable."""
    return load_settings()


# --------------------------------------------------------------------------- models, once per kernel

_lock = threading.RLock()
_cache: dict[str, object] = {}


def _cached(key: str, make: Callable[[], object]):
    with _lock:
        if key not in _cache:
            _cache[key] = make()
        return _cache[key]


def _from_ready_service(ask: Callable):
    """``ask(client)`` when this kernel has a model service that is ready (not loading or
    reloading), else None (then the caller reads its files itself)."""
    client = service_client()
    if client is None:
        return None
    try:
        health = client.health()
        if health.get("ready") and not health.get("reloading"):
            return ask(client)
    except Exception:  # noqa: BLE001 - read here; the app reports the service's trouble when it asks for the models
        pass
    return None


def get_standards(edition: str | None = None) -> pd.DataFrame:
    """The standards table the apps align against (loaded once): the ``edition`` setting's
    selection, or ``edition``'s (an app's edition chooser; see :mod:`alignment.data.editions`).
    The setting's: the model service's (the table its models were fitted on; a few
    hundredths of a second) when it is ready, else read here (about a CPU-second: the
    service is still loading or reloading, or this kernel has none)."""
    if edition is not None and edition != settings().edition:
        def select():
            from alignment.data.editions import select_edition

            return select_edition(get_all_editions(), edition)

        return _cached(f"standards@{edition}", select)

    def load():
        table = _from_ready_service(lambda client: client.standards())
        if table is not None:
            return table
        from alignment.data.sources import load_standards_from  # the one reading of a --standards argument

        return load_standards_from(settings().standards)

    return _cached("standards", load)


def get_all_editions() -> pd.DataFrame:
    """Every edition loaded side by side (what the apps' edition choosers offer)."""
    def load():
        from alignment.data.sources import load_standards_from

        return load_standards_from(settings().standards, edition=None)

    return _cached("standards@all", load)


def edition_options() -> list[str]:
    """The editions an app may switch to: ``adopted`` and every draft edition loaded; the
    setting's own first."""
    from alignment.data.editions import edition_choices

    choices = edition_choices(get_all_editions())
    current = settings().edition
    return [current] + [c for c in choices if c != current]


def service_client():
    """The client of the server's model service, or None when this kernel has none
    (then the models are loaded in this process)."""
    current = settings()
    if not current.service_url or not current.service_secret:
        return None
    from alignment.present.model_client import ServiceClient

    return ServiceClient(current.service_url, current.service_secret)


def get_aligner(edition: str | None = None):
    """The fitted :class:`~alignment.align.aligner.Aligner` (fitted once per kernel; vectors
    from the disk cache), or, under ``pathway-align serve``, a
    :class:`~alignment.present.model_client.RemoteAligner` of the shared model service
    (returned once the service has loaded its models; its loading error is raised).

    ``edition`` other than the setting's (an app's edition chooser): an Aligner fitted in
    this kernel on that edition's table (the model service holds the setting's edition
    only); the first time its vectors are computed, then read from the disk cache."""
    if edition is not None and edition != settings().edition:
        def fit_edition():
            from alignment.align.aligner import Aligner

            current = settings()
            return Aligner(top_k=current.top_k, cache_dir=current.cache_dir).fit(get_standards(edition))

        return _cached(f"aligner@{edition}", fit_edition)
    client = service_client()
    if client is not None:
        if "aligner" not in _cache:
            client.wait_ready()  # outside the lock: the small tables load meanwhile
        from alignment.present.model_client import RemoteAligner

        return _cached("aligner", lambda: RemoteAligner(client, top_k=settings().top_k))

    def fit():
        from alignment.align.aligner import Aligner

        current = settings()
        return Aligner(top_k=current.top_k, cache_dir=current.cache_dir).fit(get_standards())

    return _cached("aligner", fit)


def get_catalog() -> pd.DataFrame:
    """The configured catalog (default: the bundled Westview catalog)."""
    def load():
        from alignment.data.catalog import load_catalog

        current = settings()
        return load_catalog(current.catalog, settings=current)

    return _cached("catalog", load)


def get_pathways() -> list | None:
    """The school pathways for the gap panel, or None when ``alignment.analysis.gaps`` is not
    available or the pathways cannot be loaded (the apps work without them). The model
    service's, when it is ready and loaded them (the same file, catalog and standards),
    else read here."""
    def load():
        try:
            importlib.import_module("alignment.analysis.gaps")  # the gap panels need it
            from alignment.data.pathways import load_pathways
        except ImportError:
            return None
        school = _from_ready_service(lambda client: client.pathways())
        if school is not None:
            return school
        try:
            return load_pathways(settings().pathways, catalog=get_catalog(), standards=get_standards())
        except Exception:  # a bad pathways file must not break the coverage app
            return None

    return _cached("pathways", load)


def get_fix_finder(n_courses: int):
    """The catalog courses that best cover given standards (gap report part g): the
    service's, or a :class:`~alignment.analysis.fixes.FixFinder` fitted here."""
    def make():
        client = service_client()
        if client is not None:
            from alignment.present.model_client import RemoteFixFinder

            get_aligner()  # the service is ready
            return RemoteFixFinder(client, n_courses=n_courses)
        from alignment.analysis.fixes import FixFinder

        return FixFinder(get_aligner(), n_courses=n_courses).fit(get_catalog())

    return _cached(f"fix-finder::{n_courses}", make)


def cached(key: str, make: Callable[[], object]):
    """Any other per-kernel cache entry (e.g. a pathway's gap report)."""
    return _cached(key, make)


def has_cached(key: str) -> bool:
    """Whether :func:`cached` already holds ``key`` (so an app need not say "working...")."""
    return key in _cache


def models_ready() -> bool:
    return "aligner" in _cache


def warm_up(on_done: Callable[[BaseException | None], None] | None = None, *, catalog: bool = True) -> threading.Thread:
    """Load the standards, the aligner (and the catalog) in a background thread, then
    call ``on_done(None)`` or ``on_done(error)``.

    ``on_done`` draws widgets, so in a kernel it runs on the kernel's event loop (the
    loop running when ``warm_up`` is called, i.e. the notebook cell's), not in the
    loading thread: a page that opens asks the kernel for the state of every widget, and
    the kernel answers on that loop. Widgets created or closed by another thread while it
    builds that answer gave the page a widget that names children the answer does not
    hold ("widget model not found"), and the page stayed on "Loading widget..." for good
    (seen in the review app's reload test and as workshop pages without widgets). Without
    a running loop (tests, scripts), ``on_done`` runs in the loading thread."""
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None

    def work():
        error = None
        try:
            get_aligner()
            if catalog:
                get_catalog()
        except BaseException as exc:  # reported to the page, not raised in a thread
            error = exc
        if on_done is None:
            return
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(on_done, error)
        else:
            on_done(error)

    thread = threading.Thread(target=work, name="pathway-align-warm-up", daemon=True)
    thread.start()
    return thread


def forget_standards() -> None:
    """Drop this kernel's loaded standards and everything fitted on them (after an import
    into the standards library); the next :func:`get_standards` reads the merged library.
    Under ``pathway-align serve`` the model service is asked to load them again too (it
    answers from the old ones until the new ones are loaded; :func:`get_aligner` waits)."""
    client = service_client()
    if client is not None:
        client.reload()
    with _lock:
        for key in list(_cache):
            if key != "catalog":
                del _cache[key]


# --------------------------------------------------------------------------- identity

@dataclass(frozen=True)
class Identity:
    name: str
    verified: bool


_identity: Identity | None = None


def set_identity(name: str, verified: bool = True) -> None:
    """Record who is using this kernel (called by the launcher's injected first line)."""
    global _identity
    name = str(name or "").strip()
    _identity = Identity(name, bool(verified)) if name else None


def identity() -> Identity | None:
    """The user the server authenticated for this kernel, if it said so."""
    return _identity
