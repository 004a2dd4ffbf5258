"""What the requests codemod recognises, and the codes it records."""

from __future__ import annotations

from codemods.core.catalogue import HTTP_METHODS

#: ``requests.<method>`` and its home module ``requests.api.<method>``.
MODULE_FUNCTIONS = {
    f"{module}.{method}": method
    for module in ("requests", "requests.api")
    for method in HTTP_METHODS
}
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
