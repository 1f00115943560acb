"""Two guards the launcher puts in front of every request of the Voila server.

**Which host names the server answers to** (:class:`HostPolicy`). A page on
``http://evil.example`` can make ``evil.example`` resolve to 127.0.0.1 (DNS
rebinding); the browser then treats the local server as part of ``evil.example`` and
lets that page read it and open its kernel websockets, sending ``Host:
evil.example`` and ``Origin: http://evil.example``. Jupyter's own ``check_host``
(``allow_remote_access``, ``local_hostnames``) covers only Jupyter's handlers and
cannot allow a team server's own IP address, so the launcher checks every request
itself, before routing, with one policy: the ``Host`` header and, when present, the
``Origin`` header must name an allowed host. Local mode allows the loopback names and
addresses only; team mode the configured names plus IP addresses (a browser sends an
IP address as ``Host`` only when the user typed that address, which no rebinding
page can make it do).

**Secrets never reach a log** (:func:`redact`, :class:`RedactingFilter`,
:func:`log_request`). Tornado logs every failed request with its full URL, so a
``?token=...`` (or a ``next=`` URL carrying one) would be written in clear. The
request log function redacts query values of credential-like parameters, and a
logging filter on every handler replaces the configured secrets themselves (in
plain and URL-encoded form) and ``token=``/``Authorization``/``Cookie`` values in
any record, whatever wrote it.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlsplit

#: What replaces a secret in a log line.
REDACTED = "[secret]"
#: Host names every server answers to.
LOOPBACK_NAMES = ("localhost",)
_HOST_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")

# name=value (also URL-encoded once or twice: token%3Dvalue, token%253Dvalue) of parameters
# whose name holds one of these words
_SECRET_PARAM = re.compile(
    r"(?i)((?:[\w.-]*?)(?:token|password|passwd|secret|auth|xsrf)[\w.-]*(?:=|%3D|%253D))([^&\s\"'#<>]+)")
# header: value in reprs and dumps ("Authorization": "token abc", Cookie: a=b)
_SECRET_HEADER = re.compile(r"(?i)((?:authorization|cookie|set-cookie)[\"']?\s*[:=]\s*[\"']?)([^\"'\r\n,}]+)")


# --------------------------------------------------------------------------- host names

def host_of(value: str) -> str:
    """The host name or address of a ``Host`` header value (port and IPv6 brackets removed),
    lower-cased; ``""`` when it is not one."""
    value = (value or "").strip().lower()
    if value.startswith("["):
        end = value.find("]")
        rest = value[end + 1:] if end > 0 else "x"
        if end < 0 or (rest and not re.fullmatch(r":\d{1,5}", rest)):
            return ""
        return value[1:end]
    host, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    if port and not port.isdigit():
        return ""
    return host if ":" not in host else ""


def _ip(value: str):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def valid_host_name(name: str) -> bool:
    """A DNS name or an IP address (what ``allowed_hosts`` may list); no wildcards."""
    name = name.strip().lower()
    return bool(_ip(name) or _HOST_NAME.match(name))


@dataclass(frozen=True)
class HostPolicy:
    """The host names a server answers to.

    ``names``: allowed DNS names (lower case). ``any_ip``: any IP address is allowed as
    ``Host`` (team mode); otherwise only loopback addresses (local mode).
    """

    names: frozenset[str]
    any_ip: bool = False

    @classmethod
    def local(cls) -> HostPolicy:
        """Local mode: ``localhost``, 127.0.0.0/8 and ``[::1]`` only."""
        return cls(frozenset(LOOPBACK_NAMES), any_ip=False)

    @classmethod
    def team(cls, names: Iterable[str]) -> HostPolicy:
        """Team mode: the given names, ``localhost``, and IP addresses."""
        return cls(frozenset([*LOOPBACK_NAMES, *(n.strip().lower() for n in names if n.strip())]), any_ip=True)

    def allows_name(self, host: str) -> bool:
        if not host:
            return False
        address = _ip(host)
        if address is not None:
            return self.any_ip or address.is_loopback
        return host in self.names

    def allows_host(self, header: str | None) -> bool:
        """Whether a request's ``Host`` header names this server."""
        return self.allows_name(host_of(header or ""))

    def allows_origin(self, origin: str | None) -> bool:
        """Whether a request's ``Origin`` header (absent: allowed) is a page of this server's names.
        ``Origin: null`` (sandboxed frames, local files) is refused."""
        if origin is None:
            return True
        parts = urlsplit(origin.strip().lower())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        return self.allows_host(parts.netloc)

    def allows(self, headers) -> bool:
        """``Host`` and ``Origin`` (and the websocket ``Sec-WebSocket-Origin``) of a request's headers."""
        return (self.allows_host(headers.get("Host"))
                and self.allows_origin(headers.get("Origin"))
                and self.allows_origin(headers.get("Sec-Websocket-Origin")))

    def describe(self) -> str:
        names = sorted(self.names)
        if self.any_ip:
            return ", ".join(names) + " and IP addresses"
        return ", ".join(names) + ", 127.0.0.1 and [::1]"


# --------------------------------------------------------------------------- redaction

def _forms(secret: str) -> set[str]:
    once = quote(secret, safe="")
    return {secret, once, quote_plus(secret), quote(once, safe="")}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret (plain or URL-encoded) and every credential-like value
    (``token=...``, ``next=...%3Ftoken%3D...``, ``Authorization: ...``, ``Cookie: ...``)
    replaced by ``[secret]``."""
    if not text:
        return text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        for form in sorted(_forms(secret), key=len, reverse=True):
            text = text.replace(form, REDACTED)
    text = _SECRET_PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    return _SECRET_HEADER.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
    """A logging filter that :func:`redact` s the whole message (and traceback) of every record."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__("pathway-align-redaction")
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep its parts, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, self.secrets), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def install_redaction(secrets: Iterable[str] = (), loggers: Iterable[logging.Logger] = ()) -> RedactingFilter:
    """Put one :class:`RedactingFilter` on every handler that exists now (root's, every named
    logger's, and those of ``loggers``, e.g. a traitlets application's log) and on those loggers.
    Returns the filter (idempotent: a handler gets it once)."""
    found = RedactingFilter(secrets)
    known = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                    if isinstance(lg, logging.Logger)), *loggers]
    for logger in known:
        for target in (logger, *logger.handlers):
            for old in [f for f in target.filters if isinstance(f, RedactingFilter)]:
                target.removeFilter(old)
            target.addFilter(found)
    return found


def log_request(handler) -> None:
    """Tornado ``log_function``: one line per request, as tornado's own, with credentials redacted
    (2xx/3xx at debug level, 4xx warning, 5xx error)."""
    status = handler.get_status()
    request = handler.request
    log = logging.getLogger("tornado.access")
    level = logging.DEBUG if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    if log.isEnabledFor(level):
        secrets = handler.settings.get("pathway_align_secrets", ())
        log.log(level, "%d %s %s (%s) %.2fms", status, request.method, redact(request.uri, secrets),
                request.remote_ip, 1000.0 * request.request_time())
