"""The server's host-name policy (no DNS rebinding) and log redaction, without a server;
tests/test_serve.py checks both on a real one."""

from __future__ import annotations

import io
import logging
from urllib.parse import quote, quote_plus

import pytest

from alignment.present.web_security import (REDACTED, HostPolicy, RedactingFilter, host_of, install_redaction,
                                            redact, valid_host_name)

TOKEN = "s3cret-" + "0123456789abcdef"


@pytest.mark.parametrize("header, host", [
    ("127.0.0.1:8866", "127.0.0.1"), ("localhost", "localhost"), ("LocalHost:1", "localhost"),
    ("[::1]:8866", "::1"), ("[::1]", "::1"), ("evil.example:8866", "evil.example"),
    ("::1", ""), ("[::1]x", ""), ("host:port", ""), ("", ""),
])
def test_host_of_a_host_header(header, host):
    assert host_of(header) == host


def test_local_policy_answers_to_loopback_names_only():
    policy = HostPolicy.local()
    for ok in ("127.0.0.1:8866", "localhost:8866", "[::1]:8866", "127.0.0.2", "localhost"):
        assert policy.allows_host(ok), ok
    for bad in ("evil.example", "evil.example:8866", "10.0.0.5:8866", "localhost.evil.example", "",
                "127.0.0.1.nip.io", "0.0.0.0:8866", "[::1]:x"):
        assert not policy.allows_host(bad), bad
    assert policy.allows_origin(None) and policy.allows_origin("http://127.0.0.1:8866")
    assert policy.allows_origin("http://localhost:8866")
    for bad in ("http://evil.example", "http://evil.example:8866", "null", "file://", "ws://"):
        assert not policy.allows_origin(bad), bad
    assert not policy.allows({"Host": "127.0.0.1:8866", "Origin": "http://evil.example:8866"})
    assert not policy.allows({"Host": "127.0.0.1:8866", "Sec-Websocket-Origin": "http://evil.example"})
    assert policy.allows({"Host": "127.0.0.1:8866"})


def test_team_policy_answers_to_its_names_and_ip_addresses():
    policy = HostPolicy.team(["Pathways.District.org"])
    for ok in ("pathways.district.org", "pathways.district.org:443", "10.0.0.5:8866", "[fe80::1]:8866",
               "localhost:8866"):
        assert policy.allows_host(ok), ok
    for bad in ("evil.example", "district.org", "pathways.district.org.evil.example"):
        assert not policy.allows_host(bad), bad
    assert policy.allows_origin("https://pathways.district.org")
    assert not policy.allows_origin("https://evil.example")


@pytest.mark.parametrize("name, ok", [("pathways.district.org", True), ("10.0.0.5", True), ("::1", True),
                                      ("*.district.org", False), ("host:8866", False), ("", False),
                                      ("bad_name", False)])
def test_valid_host_names(name, ok):
    assert valid_host_name(name) is ok


@pytest.mark.parametrize("text", [
    f"404 GET /nope?token={TOKEN} (127.0.0.1)",
    f"GET /login?next=%2Fvoila%2Frender%2Freview.ipynb%3Ftoken%3D{TOKEN}",
    f"/login?next=%252Fx%253Ftoken%253D{TOKEN}",
    f"{{'Authorization': 'token {TOKEN}', 'Host': 'x'}}",
    f"Authorization: Bearer {TOKEN}",
    f"Cookie: username-127-0-0-1-8866=\"2|1:0|{TOKEN}\"",
    f"login with password={TOKEN}&next=/",
    f"the token is {TOKEN}",
])
def test_redact_removes_the_secret_in_every_form(text):
    out = redact(text, [TOKEN])
    assert TOKEN not in out and "0123456789abcdef" not in out and REDACTED in out


def test_redact_finds_a_url_encoded_secret():
    secret = "pass word/with+signs&more"
    for form in (quote(secret, safe=""), quote_plus(secret), quote(quote(secret, safe=""), safe="")):
        assert "with" not in redact(f"next=/x%3Fsomething%3D{form}", [secret])


def test_redact_keeps_what_is_not_a_secret():
    line = "404 GET /voila/render/review.ipynb?theme=dark (127.0.0.1) 0.30ms"
    assert redact(line, [TOKEN]) == line
    assert redact(f"GET /x?token={TOKEN}&theme=dark", []) == f"GET /x?token={REDACTED}&theme=dark"


def test_the_filter_redacts_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    logger = logging.getLogger("pathway-align-test-redaction")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        install_redaction([TOKEN], [logger])
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
        logger.warning("%d %s", 404, f"GET /x?token={TOKEN}")
        try:
            raise ValueError(f"bad request /y?token={TOKEN}")
        except ValueError:
            logger.exception("failed with %s", TOKEN)
        install_redaction([TOKEN], [logger])  # twice: still one filter
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "404 GET /x?token=[secret]" in text and "ValueError: bad request" in text
    assert TOKEN not in text
