"""What the requests codemod recognises, and the codes it records."""

from __future__ import annotations

METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
#: ``requests.<method>`` and its home module ``requests.api.<method>``.
MODULE_FUNCTIONS = {f"requests.{m}": m for m in METHODS} | {f"requests.api.{m}": m for m in METHODS}
SESSION_CLASSES = {"requests.Session", "requests.session", "requests.sessions.Session"}

#: Keyword names of the positional parameters after the URL, per requests' signatures.
MODULE_POSITIONAL = {
    "get": ("params",),
    "post": ("data", "json"),
    "put": ("data",),
    "patch": ("data",),
}
SESSION_POSITIONAL = {
    "post": ("data", "json"),
    "put": ("data",),
    "patch": ("data",),
}
