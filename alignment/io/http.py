"""Fetching a CASE package from a provider's URL, with limits, at the boundary.

``pathway-align standards import https://.../ims/case/v1p0/CFPackages/<id>`` is the
only network access of the product, and it happens only when a person asks for it.
The rules, each with a one-line error that names the URL:

- HTTPS only; plain HTTP only to this machine (127.0.0.0/8, ``localhost``, ``::1``),
  which the tests use for a real server they start;
- a timeout for connecting and for every read (the ``case_timeout`` setting);
- at most ``max_redirects`` redirects (a setting), each checked by the same rules, and
  the bearer token is sent only to the host it was given for;
- at most ``max_download_bytes`` (a setting), counted while streaming (a missing or
  false ``Content-Length`` does not get past it);
- a status other than 200 (404, 401, 500, ...) is an error, and so is a body that is
  HTML instead of JSON (a sign-in page, a provider's "not found" page).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from alignment.settings import Settings, get_settings
from alignment.io.errors import InputError
from alignment.io.files import human_size

LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class Download:
    """What a URL answered: the body, the URL it came from after redirects, its type."""

    url: str
    final_url: str
    content: bytes
    content_type: str


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``."""
    host = (host or "").strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, source: str | None = None) -> None:
    """Refuse what is not ``https://host/...`` (or ``http://`` to this machine)."""
    source = source or url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(source, f"{source}: not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InputError(source, f"{source}: plain http is refused (the token and the standards would travel "
                                 f"unencrypted); use the https:// address of the CASE provider")


def fetch(url: str, *, token: str | None = None, timeout: float | None = None, max_bytes: int | None = None,
          max_redirects: int | None = None, accept: str = "application/json",
          settings: Settings | None = None) -> Download:
    """GET ``url`` under the rules of the module docstring; raises :class:`InputError`.
    Limits and token default to the settings (``case_token``, ``case_timeout``,
    ``max_download_bytes``, ``max_redirects``)."""
    import httpx

    settings = settings or get_settings()
    token = settings.case_token if token is None else token
    timeout = settings.case_timeout if timeout is None else timeout
    max_bytes = settings.max_download_bytes if max_bytes is None else max_bytes
    max_redirects = settings.max_redirects if max_redirects is None else max_redirects
    source = url
    check_url(url, source)
    token_host = urlsplit(url).hostname
    current = url
    with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False) as client:
        for hop in range(max_redirects + 1):
            headers = {"Accept": accept, "User-Agent": "pathway-align"}
            if token and urlsplit(current).hostname == token_host:
                headers["Authorization"] = f"Bearer {token}"
            try:
                with client.stream("GET", current, headers=headers) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise InputError(source, f"{source}: redirect ({response.status_code}) without a "
                                                     "Location")
                        current = urljoin(current, location)
                        check_url(current, source)
                        continue
                    if response.status_code != 200:
                        reason = response.reason_phrase or ""
                        raise InputError(source, f"{source}: the server answered {response.status_code} {reason}"
                                                 .rstrip() + ("; check the package id" if response.status_code == 404
                                                              else "; check the URL and the token"
                                                              if response.status_code in (401, 403) else ""))
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise InputError(source, _too_big(source, int(declared), max_bytes))
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise InputError(source, _too_big(source, len(body), max_bytes, at_least=True))
                    content_type = response.headers.get("content-type", "")
                    return Download(url, current, bytes(body), content_type)
            except httpx.TimeoutException:
                raise InputError(source, f"{source}: no answer within {timeout:g} seconds (timed out); try "
                                         "again later or raise PATHWAY_ALIGN_CASE_TIMEOUT") from None
            except httpx.HTTPError as exc:
                raise InputError(source, f"{source}: could not fetch it ({type(exc).__name__}: {exc})") from None
    raise InputError(source, f"{source}: more than {max_redirects} redirects; give the package's final URL")


def _too_big(source: str, size: int, limit: int, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return (f"{source}: the answer is {more}{human_size(size)}, larger than the {human_size(limit)} limit; "
            "raise PATHWAY_ALIGN_MAX_DOWNLOAD_BYTES if the package is really that big")


def looks_like_html(content: bytes, content_type: str = "") -> bool:
    """True for an HTML page (by its type or its first characters)."""
    if "html" in content_type.lower():
        return True
    head = content[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))
