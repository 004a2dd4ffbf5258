"""The blocking calls ruff's and flake8-async's rules (ASYNC210-251) flag, as tables of
qualified names, kept free of libcst so the engine's prefilter can use them."""

from __future__ import annotations

import enum

from codemods.core.spec import Targets


class ObjectKind(enum.Enum):
    """Kinds of objects whose methods block."""

    FILE = "file object"
    HTTPX_CLIENT = "httpx client"
    URLLIB3_POOL = "urllib3 pool"
    SQLITE = "sqlite3 connection or cursor"
    POPEN = "subprocess.Popen object"
    URL_RESPONSE = "urlopen response"


class Family(enum.Enum):
    """Families of blocking calls: each offloading codemod handles some."""

    REQUESTS = "requests"
    HTTP = "http"
    SUBPROCESS = "subprocess"
    FILES = "files"
    INPUT = "input"
    SLEEP = "sleep"
    DATABASE = "database"


#: The HTTP verbs requests and httpx each have a function (and a client method) for.
HTTP_VERBS = ("get", "options", "head", "post", "put", "patch", "delete")
#: Every request function of requests and httpx: the verbs and ``request(method, url)``.
HTTP_METHODS = (*HTTP_VERBS, "request")
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
FUNCTIONS: dict[str, Family] = {
    **{f"requests.{verb}": Family.REQUESTS for verb in HTTP_METHODS},
    **{f"httpx.{verb}": Family.HTTP for verb in (*HTTP_METHODS, "stream")},
    **{f"httpx2.{verb}": Family.HTTP for verb in (*HTTP_METHODS, "stream")},
    "urllib3.request": Family.HTTP,
    "urllib.request.urlopen": Family.HTTP,
    # Spelled without an import in scope, as name-matching linters see them.
    "request.urlopen": Family.HTTP,
    "urlopen": Family.HTTP,
    **{
        f"subprocess.{f}": Family.SUBPROCESS
        for f in ("run", "call", "check_call", "check_output", "Popen", "getoutput")
    },
    "subprocess.getstatusoutput": Family.SUBPROCESS,
    **{f"os.{f}": Family.SUBPROCESS for f in ("system", "popen", "posix_spawn", "posix_spawnp")},
    **{f"os.{f}": Family.SUBPROCESS for f in (*_SPAWN, *_WAIT)},
    "builtins.open": Family.FILES,
    "io.open": Family.FILES,
    "io.open_code": Family.FILES,
    "os.fdopen": Family.FILES,
    **{f"os.path.{f}": Family.FILES for f in _OS_PATH},
    "builtins.input": Family.INPUT,
    "time.sleep": Family.SLEEP,
    "sqlite3.connect": Family.DATABASE,
}

#: Calls whose result is an object of a known kind.
CONSTRUCTORS: dict[str, ObjectKind] = {
    "builtins.open": ObjectKind.FILE,
    "io.open": ObjectKind.FILE,
    "io.open_code": ObjectKind.FILE,
    "os.fdopen": ObjectKind.FILE,
    "os.popen": ObjectKind.FILE,
    "httpx.Client": ObjectKind.HTTPX_CLIENT,
    "httpx2.Client": ObjectKind.HTTPX_CLIENT,
    **{
        f"urllib3.{name}": ObjectKind.URLLIB3_POOL
        for name in (
            "PoolManager",
            "ProxyManager",
            "HTTPConnectionPool",
            "HTTPSConnectionPool",
            "connection_from_url",
            "proxy_from_url",
        )
    },
    "sqlite3.connect": ObjectKind.SQLITE,
    "sqlite3.Connection": ObjectKind.SQLITE,
    "subprocess.Popen": ObjectKind.POPEN,
    "urllib.request.urlopen": ObjectKind.URL_RESPONSE,
}

#: Annotations that declare an object of a known kind.
ANNOTATIONS: dict[str, ObjectKind] = {
    **{f"io.{t}": ObjectKind.FILE for t in ("TextIOWrapper", "BufferedReader", "BufferedWriter")},
    "io.BufferedRandom": ObjectKind.FILE,
    "io.FileIO": ObjectKind.FILE,
    "httpx.Client": ObjectKind.HTTPX_CLIENT,
    "httpx2.Client": ObjectKind.HTTPX_CLIENT,
    **{
        f"urllib3.{name}": ObjectKind.URLLIB3_POOL
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
    "sqlite3.Connection": ObjectKind.SQLITE,
    "sqlite3.Cursor": ObjectKind.SQLITE,
    "subprocess.Popen": ObjectKind.POPEN,
    "http.client.HTTPResponse": ObjectKind.URL_RESPONSE,
}


def blocking_targets(families: frozenset[Family], tokens: tuple[bytes, ...]) -> Targets:
    """What an offloading codemod's prefilter looks for: the blocking functions of
    ``families``, and every constructor and annotation that makes a name a blocking
    object."""
    names = {name for name, family in FUNCTIONS.items() if family in families}
    objects = frozenset(set(CONSTRUCTORS) | set(ANNOTATIONS))
    return Targets(tokens=tokens, names=frozenset(names) | objects, anywhere=objects)
