"""The blocking calls ruff's and flake8-async's rules (ASYNC210-251) flag, as tables of
qualified names, kept free of libcst so the engine's prefilter can use them."""

from __future__ import annotations

from codemods.core.spec import Targets

# Kinds of objects whose methods block.
FILE = "file object"
HTTPX_CLIENT = "httpx client"
URLLIB3_POOL = "urllib3 pool"
SQLITE = "sqlite3 connection or cursor"
POPEN = "subprocess.Popen object"
URL_RESPONSE = "urlopen response"

REQUESTS, HTTP, SUBPROCESS, FILES, INPUT, SLEEP, DATABASE = (
    "requests",
    "http",
    "subprocess",
    "files",
    "input",
    "sleep",
    "database",
)

_HTTP_VERBS = ("get", "options", "head", "post", "put", "patch", "delete", "request")
_SPAWN = tuple(f"spawn{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe"))
_WAIT = ("wait", "wait3", "wait4", "waitid", "waitpid")
# os.path functions that touch the file system (flake8-async ASYNC240; normpath is a
# pure string function and is left alone).
_OS_PATH = (
    "exists",
    "lexists",
    "isdir",
    "isfile",
    "islink",
    "ismount",
    "realpath",
    "relpath",
    "getatime",
    "getctime",
    "getmtime",
    "getsize",
    "samefile",
    "sameopenfile",
)

#: Blocking functions, by qualified name, and their family.
FUNCTIONS: dict[str, str] = {
    **{f"requests.{verb}": REQUESTS for verb in _HTTP_VERBS},
    **{f"httpx.{verb}": HTTP for verb in (*_HTTP_VERBS, "stream")},
    **{f"httpx2.{verb}": HTTP for verb in (*_HTTP_VERBS, "stream")},
    "urllib3.request": HTTP,
    "urllib.request.urlopen": HTTP,
    # Spelled without an import in scope, as name-matching linters see them.
    "request.urlopen": HTTP,
    "urlopen": HTTP,
    **{
        f"subprocess.{f}": SUBPROCESS
        for f in ("run", "call", "check_call", "check_output", "Popen", "getoutput")
    },
    "subprocess.getstatusoutput": SUBPROCESS,
    **{f"os.{f}": SUBPROCESS for f in ("system", "popen", "posix_spawn", "posix_spawnp")},
    **{f"os.{f}": SUBPROCESS for f in (*_SPAWN, *_WAIT)},
    "builtins.open": FILES,
    "io.open": FILES,
    "io.open_code": FILES,
    "os.fdopen": FILES,
    **{f"os.path.{f}": FILES for f in _OS_PATH},
    "builtins.input": INPUT,
    "time.sleep": SLEEP,
    "sqlite3.connect": DATABASE,
}

#: Calls whose result is an object of a known kind.
CONSTRUCTORS: dict[str, str] = {
    "builtins.open": FILE,
    "io.open": FILE,
    "io.open_code": FILE,
    "os.fdopen": FILE,
    "os.popen": FILE,
    "httpx.Client": HTTPX_CLIENT,
    "httpx2.Client": HTTPX_CLIENT,
    **{
        f"urllib3.{name}": URLLIB3_POOL
        for name in (
            "PoolManager",
            "ProxyManager",
            "HTTPConnectionPool",
            "HTTPSConnectionPool",
            "connection_from_url",
            "proxy_from_url",
        )
    },
    "sqlite3.connect": SQLITE,
    "sqlite3.Connection": SQLITE,
    "subprocess.Popen": POPEN,
    "urllib.request.urlopen": URL_RESPONSE,
}

#: Annotations that declare an object of a known kind.
ANNOTATIONS: dict[str, str] = {
    **{f"io.{t}": FILE for t in ("TextIOWrapper", "BufferedReader", "BufferedWriter")},
    "io.BufferedRandom": FILE,
    "io.FileIO": FILE,
    "httpx.Client": HTTPX_CLIENT,
    "httpx2.Client": HTTPX_CLIENT,
    **{
        f"urllib3.{name}": URLLIB3_POOL
        for name in (
            "HTTPConnectionPool",
            "HTTPSConnectionPool",
            "PoolManager",
            "ProxyManager",
            "connectionpool.ConnectionPool",
            "connectionpool.HTTPConnectionPool",
            "connectionpool.HTTPSConnectionPool",
            "poolmanager.PoolManager",
            "poolmanager.ProxyManager",
            "request.RequestMethods",
            "_request_methods.RequestMethods",
        )
    },
    "sqlite3.Connection": SQLITE,
    "sqlite3.Cursor": SQLITE,
    "subprocess.Popen": POPEN,
    "http.client.HTTPResponse": URL_RESPONSE,
}


def blocking_targets(families: set[str], tokens: tuple[bytes, ...]) -> Targets:
    """What an offloading codemod's prefilter looks for: the blocking functions of
    ``families``, and every constructor and annotation that makes a name a blocking
    object."""
    names = {name for name, family in FUNCTIONS.items() if family in families}
    objects = frozenset(set(CONSTRUCTORS) | set(ANNOTATIONS))
    return Targets(tokens=tokens, names=frozenset(names) | objects, anywhere=objects)
