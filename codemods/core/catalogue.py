"""The blocking calls ruff's and flake8-async's rules (ASYNC210-251) flag, as tables of
qualified names, kept free of libcst so the engine's prefilter can use them."""

from __future__ import annotations

import enum
import re

from codemods.core.filesystem import PATH_TO_THREAD
from codemods.core.spec import Targets

#: What a ``with`` item must be called (its last name) to count as a thread lock. An
#: ``asyncio.Lock`` cannot be used in a plain ``with``, so any lock there blocks.
LOCK_NAME = re.compile(r"(?i)(lock|mutex|sem|semaphore)$")
#: The modules whose lock classes a ``with`` item may make, and those classes.
LOCK_MODULES = ("threading", "multiprocessing")
LOCK_CLASSES = ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition")
THREAD_LOCKS = frozenset(f"{module}.{name}" for module in LOCK_MODULES for name in LOCK_CLASSES)


class ObjectKind(enum.Enum):
    """Kinds of objects whose methods block (the value is what users see)."""

    FILE = "file object"
    HTTPX_CLIENT = "httpx client"
    URLLIB3_POOL = "urllib3 pool"
    SQLITE = "sqlite3 connection or cursor"
    POPEN = "subprocess.Popen object"
    URL_RESPONSE = "urlopen response"
    REDIS_CLIENT = "redis client"
    REDIS_PIPELINE = "redis pipeline"
    MONGO_CLIENT = "pymongo client"
    MONGO_DATABASE = "pymongo database"
    MONGO_COLLECTION = "pymongo collection"
    SMTP_CLIENT = "smtplib.SMTP object"
    FTP_CLIENT = "ftplib.FTP object"
    HTTP_CONNECTION = "http.client connection"
    BOTO_CLIENT = "botocore client"
    BOTO_RESOURCE = "boto3 resource"
    BOTO_SESSION = "boto3 session"
    SSH_CLIENT = "paramiko SSHClient"
    SFTP_CLIENT = "paramiko SFTPClient"
    THREAD_EVENT = "threading.Event"
    THREAD_QUEUE = "queue.Queue"
    FUTURE = "concurrent.futures.Future"
    EXECUTOR = "concurrent.futures executor"
    THREAD = "threading.Thread"
    THREAD_LOCK = "threading.Lock"
    THREAD_RLOCK = "threading.RLock"
    SA_ENGINE = "SQLAlchemy Engine"
    SA_CONNECTION = "SQLAlchemy Connection"
    SA_SESSION = "SQLAlchemy Session"
    REQUESTS_SESSION = "requests.Session"
    #: Only as what a class keeps on ``self`` (the ``files`` codemod proves Paths otherwise).
    PATH = "pathlib.Path"
    SOCKET = "blocking socket"


class Family(enum.Enum):
    """Families of blocking calls: each offloading codemod handles some."""

    REQUESTS = "requests"
    HTTP = "http"
    SUBPROCESS = "subprocess"
    FILES = "files"
    INPUT = "input"
    SLEEP = "sleep"
    DATABASE = "database"
    #: redis-py
    REDIS = "redis"
    #: network clients (pymongo, smtplib, ftplib, http.client, botocore, paramiko, sockets)
    NETWORK = "network"
    #: waits on other threads (events, queues, futures, joins, locks)
    THREADS = "threads"


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

_REDIS_CLASSES = ("Redis", "StrictRedis", "client.Redis", "client.StrictRedis")
_REDIS_CLIENTS = (*_REDIS_CLASSES, "from_url", "utils.from_url")

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
    # Constructors that connect at once when given a host.
    **{f"smtplib.{c}": Family.NETWORK for c in ("SMTP", "SMTP_SSL", "LMTP")},
    **{f"ftplib.{c}": Family.NETWORK for c in ("FTP", "FTP_TLS")},
    "socket.create_connection": Family.NETWORK,
    "concurrent.futures.wait": Family.THREADS,
}

#: Classes of objects that wait on other threads: made and annotated by the same names.
_THREAD_WAITS: dict[str, ObjectKind] = {
    "threading.Event": ObjectKind.THREAD_EVENT,
    **{
        f"queue.{c}": ObjectKind.THREAD_QUEUE
        for c in ("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue")
    },
    "concurrent.futures.Future": ObjectKind.FUTURE,
    **{
        f"concurrent.futures.{c}": ObjectKind.EXECUTOR
        for c in ("ThreadPoolExecutor", "ProcessPoolExecutor", "Executor")
    },
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
    **{f"redis.{name}": ObjectKind.REDIS_CLIENT for name in _REDIS_CLIENTS},
    **{f"redis.{name}.from_url": ObjectKind.REDIS_CLIENT for name in _REDIS_CLASSES},
    **{
        f"pymongo.{name}": ObjectKind.MONGO_CLIENT
        for name in ("MongoClient", "mongo_client.MongoClient")
    },
    **{f"smtplib.{c}": ObjectKind.SMTP_CLIENT for c in ("SMTP", "SMTP_SSL", "LMTP")},
    **{f"ftplib.{c}": ObjectKind.FTP_CLIENT for c in ("FTP", "FTP_TLS")},
    **{
        f"http.client.{c}": ObjectKind.HTTP_CONNECTION
        for c in ("HTTPConnection", "HTTPSConnection")
    },
    "boto3.client": ObjectKind.BOTO_CLIENT,
    "boto3.resource": ObjectKind.BOTO_RESOURCE,
    "boto3.Session": ObjectKind.BOTO_SESSION,
    "boto3.session.Session": ObjectKind.BOTO_SESSION,
    "paramiko.SSHClient": ObjectKind.SSH_CLIENT,
    "paramiko.client.SSHClient": ObjectKind.SSH_CLIENT,
    "paramiko.SFTPClient.from_transport": ObjectKind.SFTP_CLIENT,
    **_THREAD_WAITS,
    "threading.Thread": ObjectKind.THREAD,
    "threading.Lock": ObjectKind.THREAD_LOCK,
    "threading.RLock": ObjectKind.THREAD_RLOCK,
    "sqlalchemy.create_engine": ObjectKind.SA_ENGINE,
    "sqlalchemy.engine.create_engine": ObjectKind.SA_ENGINE,
    "sqlalchemy.orm.Session": ObjectKind.SA_SESSION,
    "sqlalchemy.orm.session.Session": ObjectKind.SA_SESSION,
    "socket.socket": ObjectKind.SOCKET,
    "socket.create_connection": ObjectKind.SOCKET,
    **{
        f"requests.{name}": ObjectKind.REQUESTS_SESSION
        for name in ("Session", "session", "sessions.Session", "sessions.session")
    },
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
    **{f"redis.{name}": ObjectKind.REDIS_CLIENT for name in _REDIS_CLASSES},
    **{f"redis.{name}": ObjectKind.REDIS_PIPELINE for name in ("client.Pipeline", "Pipeline")},
    "pymongo.MongoClient": ObjectKind.MONGO_CLIENT,
    "pymongo.mongo_client.MongoClient": ObjectKind.MONGO_CLIENT,
    "pymongo.database.Database": ObjectKind.MONGO_DATABASE,
    "pymongo.collection.Collection": ObjectKind.MONGO_COLLECTION,
    **{f"smtplib.{c}": ObjectKind.SMTP_CLIENT for c in ("SMTP", "SMTP_SSL", "LMTP")},
    **{f"ftplib.{c}": ObjectKind.FTP_CLIENT for c in ("FTP", "FTP_TLS")},
    **{
        f"http.client.{c}": ObjectKind.HTTP_CONNECTION
        for c in ("HTTPConnection", "HTTPSConnection")
    },
    "botocore.client.BaseClient": ObjectKind.BOTO_CLIENT,
    "boto3.session.Session": ObjectKind.BOTO_SESSION,
    "boto3.Session": ObjectKind.BOTO_SESSION,
    "paramiko.SSHClient": ObjectKind.SSH_CLIENT,
    "paramiko.client.SSHClient": ObjectKind.SSH_CLIENT,
    "paramiko.SFTPClient": ObjectKind.SFTP_CLIENT,
    "paramiko.sftp_client.SFTPClient": ObjectKind.SFTP_CLIENT,
    **_THREAD_WAITS,
    "threading.Thread": ObjectKind.THREAD,
    "sqlalchemy.Engine": ObjectKind.SA_ENGINE,
    "sqlalchemy.engine.Engine": ObjectKind.SA_ENGINE,
    "sqlalchemy.Connection": ObjectKind.SA_CONNECTION,
    "sqlalchemy.engine.Connection": ObjectKind.SA_CONNECTION,
    "sqlalchemy.orm.Session": ObjectKind.SA_SESSION,
    "sqlalchemy.orm.session.Session": ObjectKind.SA_SESSION,
    "socket.socket": ObjectKind.SOCKET,
    "requests.Session": ObjectKind.REQUESTS_SESSION,
    "requests.sessions.Session": ObjectKind.REQUESTS_SESSION,
}

# -- what the methods of each kind do ---------------------------------------------

#: Objects a method call on an object of a kind returns: (kind, method) -> kind.
RETURNS: dict[tuple[ObjectKind, str], ObjectKind] = {
    (ObjectKind.REDIS_CLIENT, "pipeline"): ObjectKind.REDIS_PIPELINE,
    (ObjectKind.MONGO_CLIENT, "get_database"): ObjectKind.MONGO_DATABASE,
    (ObjectKind.MONGO_CLIENT, "get_default_database"): ObjectKind.MONGO_DATABASE,
    (ObjectKind.MONGO_DATABASE, "get_collection"): ObjectKind.MONGO_COLLECTION,
    (ObjectKind.MONGO_COLLECTION, "with_options"): ObjectKind.MONGO_COLLECTION,
    (ObjectKind.HTTP_CONNECTION, "getresponse"): ObjectKind.URL_RESPONSE,
    (ObjectKind.BOTO_SESSION, "client"): ObjectKind.BOTO_CLIENT,
    (ObjectKind.BOTO_SESSION, "resource"): ObjectKind.BOTO_RESOURCE,
    (ObjectKind.SSH_CLIENT, "open_sftp"): ObjectKind.SFTP_CLIENT,
    (ObjectKind.SFTP_CLIENT, "open"): ObjectKind.FILE,
    (ObjectKind.SFTP_CLIENT, "file"): ObjectKind.FILE,
    (ObjectKind.EXECUTOR, "submit"): ObjectKind.FUTURE,
    (ObjectKind.SA_ENGINE, "connect"): ObjectKind.SA_CONNECTION,
    (ObjectKind.SA_ENGINE, "begin"): ObjectKind.SA_CONNECTION,
}
#: Objects an attribute or a subscript of an object of a kind gives (``client.db``,
#: ``client["db"]["items"]``).
MEMBERS: dict[ObjectKind, ObjectKind] = {
    ObjectKind.MONGO_CLIENT: ObjectKind.MONGO_DATABASE,
    ObjectKind.MONGO_DATABASE: ObjectKind.MONGO_COLLECTION,
    ObjectKind.MONGO_COLLECTION: ObjectKind.MONGO_COLLECTION,  # a sub-collection: db.items.archive
}

#: redis-py client methods that do no I/O in the sync client and are not coroutines in
#: redis.asyncio either: called as they are.
REDIS_LOCAL_METHODS = frozenset(
    {
        "pipeline",
        "get_encoder",
        "get_connection_kwargs",
        "get_retry",
        "set_retry",
        "set_response_callback",
        "from_url",
        "from_pool",
        "load_external_module",
        "digest_local",
    }
)
#: redis-py client methods whose objects behave differently in redis.asyncio (and do their
#: I/O later, or keep state in the thread that made them): the async form to use instead.
REDIS_ASYNC_SHAPES: dict[str, str] = {
    "lock": "redis-py's Lock keeps its token in thread-local storage, so acquire() and "
    "release() cannot be offloaded to threads; with redis.asyncio: "
    "'async with r.lock(name):' or 'await lock.acquire()'",
    "pubsub": "a PubSub object reads its messages later (get_message, listen); with "
    "redis.asyncio: 'await p.subscribe(...)' and 'async for m in p.listen()'",
    "monitor": "a Monitor reads the server's commands as they come; with redis.asyncio: "
    "'async with r.monitor() as m: async for command in m.listen()'",
    "register_script": "the Script object runs later, when called; with redis.asyncio: "
    "'script = r.register_script(lua)' then 'await script(keys=..., args=...)'",
    **{
        name: "a generator that does its I/O while iterated; with redis.asyncio: "
        f"'async for item in r.{name}(...)'"
        for name in ("scan_iter", "hscan_iter", "sscan_iter", "zscan_iter")
    },
    "client": "returns another client bound to one connection; migrate it by hand",
    "keyspace_notifications": "the notifications object reads its messages later; with "
    "redis.asyncio, r.keyspace_notifications() gives an async one",
    "get_cache": "client-side caching has no redis.asyncio form",
    "bitfield": "the BitFieldOperation runs later, in execute(); with redis.asyncio: "
    "'await r.bitfield(key)....execute()'",
    **{
        name: f"r.{name}() returns a module command group whose commands block; with "
        f"redis.asyncio: 'await r.{name}().<command>(...)'"
        for name in ("json", "ft", "ts", "bf", "cf", "cms", "topk", "tdigest", "vset")
    },
}

_MONGO_CURSOR = (
    "returns a cursor that does its I/O while it is iterated, in the coroutine; offload "
    "the whole read ('await asyncio.to_thread(list, coll.find(...))'), or use pymongo's "
    "AsyncMongoClient (PyMongo 4.13+)"
)
_SOCKET = (
    "a blocking socket; use asyncio streams ('reader, writer = await "
    "asyncio.open_connection(host, port)', asyncio.start_server) or the loop's sock_* methods"
)

#: Kinds whose listed methods only block (the others do no I/O, or are not known to).
BLOCKING_METHODS: dict[ObjectKind, frozenset[str]] = {
    ObjectKind.REQUESTS_SESSION: frozenset({*HTTP_METHODS, "send"}),
    ObjectKind.REDIS_PIPELINE: frozenset({"execute", "watch", "unwatch", "reset"}),
    ObjectKind.MONGO_CLIENT: frozenset(
        {"server_info", "list_database_names", "list_databases", "drop_database", "close"}
    ),
    ObjectKind.MONGO_DATABASE: frozenset(
        {
            "command",
            "list_collection_names",
            "list_collections",
            "create_collection",
            "drop_collection",
            "validate_collection",
            "dereference",
            "aggregate",
        }
    ),
    ObjectKind.MONGO_COLLECTION: frozenset(
        {
            "find_one",
            "insert_one",
            "insert_many",
            "update_one",
            "update_many",
            "replace_one",
            "delete_one",
            "delete_many",
            "count_documents",
            "estimated_document_count",
            "distinct",
            "find_one_and_delete",
            "find_one_and_replace",
            "find_one_and_update",
            "bulk_write",
            "create_index",
            "create_indexes",
            "drop_index",
            "drop_indexes",
            "index_information",
            "drop",
            "rename",
            "options",
            "find",
            "find_raw_batches",
            "aggregate",
            "aggregate_raw_batches",
            "list_indexes",
            "watch",
        }
    ),
    ObjectKind.SMTP_CLIENT: frozenset(
        {
            "connect",
            "helo",
            "ehlo",
            "ehlo_or_helo_if_needed",
            "starttls",
            "login",
            "auth",
            "sendmail",
            "send_message",
            "mail",
            "rcpt",
            "data",
            "rset",
            "noop",
            "verify",
            "expn",
            "docmd",
            "getreply",
            "quit",
        }
    ),
    ObjectKind.FTP_CLIENT: frozenset(
        {
            "connect",
            "login",
            "cwd",
            "pwd",
            "nlst",
            "dir",
            "mlsd",
            "retrbinary",
            "retrlines",
            "storbinary",
            "storlines",
            "delete",
            "rename",
            "mkd",
            "rmd",
            "size",
            "sendcmd",
            "voidcmd",
            "abort",
            "transfercmd",
            "ntransfercmd",
            "quit",
            "prot_p",
            "prot_c",
            "auth",
        }
    ),
    ObjectKind.HTTP_CONNECTION: frozenset(
        {"request", "getresponse", "connect", "send", "endheaders", "putrequest"}
    ),
    ObjectKind.SSH_CLIENT: frozenset(
        {"connect", "exec_command", "open_sftp", "invoke_shell", "load_system_host_keys"}
    ),
    ObjectKind.SFTP_CLIENT: frozenset(
        {
            "get",
            "put",
            "getfo",
            "putfo",
            "listdir",
            "listdir_attr",
            "listdir_iter",
            "stat",
            "lstat",
            "remove",
            "unlink",
            "rename",
            "posix_rename",
            "mkdir",
            "rmdir",
            "chmod",
            "chown",
            "utime",
            "truncate",
            "symlink",
            "readlink",
            "normalize",
            "chdir",
            "close",
        }
    ),
    ObjectKind.THREAD_EVENT: frozenset({"wait"}),
    ObjectKind.THREAD_QUEUE: frozenset({"get", "put", "join"}),
    ObjectKind.FUTURE: frozenset({"result", "exception"}),
    ObjectKind.EXECUTOR: frozenset({"shutdown"}),
    ObjectKind.THREAD: frozenset({"join"}),
    ObjectKind.THREAD_LOCK: frozenset({"acquire"}),
    ObjectKind.THREAD_RLOCK: frozenset({"acquire"}),
    ObjectKind.SA_ENGINE: frozenset({"connect", "begin", "dispose", "raw_connection"}),
    ObjectKind.SA_CONNECTION: frozenset(
        {"execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback", "close"}
    ),
    ObjectKind.SA_SESSION: frozenset(
        {
            "execute",
            "scalar",
            "scalars",
            "get",
            "get_one",
            "commit",
            "rollback",
            "flush",
            "refresh",
            "merge",
            "delete",
            "close",
            "connection",
        }
    ),
    ObjectKind.SOCKET: frozenset(
        {
            "connect",
            "connect_ex",
            "accept",
            "recv",
            "recv_into",
            "recvfrom",
            "recvfrom_into",
            "recvmsg",
            "send",
            "sendall",
            "sendto",
            "sendmsg",
            "sendfile",
        }
    ),
}
#: Kinds whose every method blocks but these (as flake8-async treats files).
CHEAP_METHODS: dict[ObjectKind, frozenset[str]] = {
    ObjectKind.REDIS_CLIENT: REDIS_LOCAL_METHODS,
    ObjectKind.BOTO_CLIENT: frozenset(
        {
            "get_paginator",
            "get_waiter",
            "can_paginate",
            "generate_presigned_url",
            "generate_presigned_post",
            "close",
        }
    ),
    ObjectKind.BOTO_RESOURCE: frozenset(),
    ObjectKind.BOTO_SESSION: frozenset(
        {"client", "resource", "get_available_services", "get_available_resources"}
    ),
}
#: Kinds bound to the thread that made them, or unsafe to hand to a worker thread: why,
#: and what to use instead.
THREAD_BOUND: dict[ObjectKind, str] = {
    ObjectKind.THREAD_RLOCK: "an RLock belongs to the thread that acquired it: acquired in a "
    "worker thread, it cannot be released in the coroutine (RuntimeError); use an asyncio.Lock",
    ObjectKind.SA_ENGINE: "SQLAlchemy's sync engine hands out connections that must stay with one "
    "thread at a time; use sqlalchemy.ext.asyncio (create_async_engine, AsyncSession)",
    ObjectKind.SA_CONNECTION: "a SQLAlchemy Connection is not safe to share between threads; use "
    "sqlalchemy.ext.asyncio (AsyncConnection from create_async_engine(...).connect())",
    ObjectKind.SA_SESSION: "a SQLAlchemy Session is not thread-safe and its connection may be "
    "bound to its thread; use sqlalchemy.ext.asyncio.AsyncSession",
    ObjectKind.BOTO_RESOURCE: "boto3 resources are not thread-safe (boto3 docs, 'Multithreading'); "
    "use a client, boto3.client(...), whose calls can be offloaded, or aioboto3",
    ObjectKind.BOTO_SESSION: "boto3 sessions are not thread-safe (boto3 docs, 'Multithreading'); "
    "create the client first (session.client(...)) and offload its calls",
}
#: Calls that offloading would not make non-blocking or faithful, with the async API to
#: use instead: by (kind, method), by kind, and by function.
ASYNC_INSTEAD: dict[tuple[ObjectKind, str], str] = {
    **{
        (ObjectKind.MONGO_COLLECTION, m): _MONGO_CURSOR
        for m in ("find", "find_raw_batches", "watch")
    },
    **{
        (ObjectKind.MONGO_COLLECTION, m): _MONGO_CURSOR
        for m in ("aggregate", "aggregate_raw_batches")
    },
    (ObjectKind.MONGO_COLLECTION, "list_indexes"): _MONGO_CURSOR,
    (ObjectKind.MONGO_DATABASE, "aggregate"): _MONGO_CURSOR,
    (ObjectKind.MONGO_DATABASE, "list_collections"): _MONGO_CURSOR,
    (ObjectKind.MONGO_CLIENT, "list_databases"): _MONGO_CURSOR,
    (ObjectKind.FTP_CLIENT, "mlsd"): "a generator that does its I/O while iterated; offload the "
    "whole listing: 'await asyncio.to_thread(lambda: list(ftp.mlsd(path)))'",
    (ObjectKind.SFTP_CLIENT, "listdir_iter"): "a generator that does its I/O while iterated; use "
    "listdir_attr(), which returns a list, offloaded",
    **{(ObjectKind.REDIS_CLIENT, method): why for method, why in REDIS_ASYNC_SHAPES.items()},
}
ASYNC_INSTEAD_KINDS: dict[ObjectKind, str] = {
    ObjectKind.SOCKET: _SOCKET,
    ObjectKind.REQUESTS_SESSION: "a requests.Session made outside the coroutine is not "
    "documented as safe to use from several threads, as offloaded calls from concurrent "
    "coroutines would; keep one aiohttp.ClientSession instead, made once the loop runs, and "
    "'async with session.get(url) as response'",
}
#: Kinds whose ``with`` block blocks when it is left.
BLOCKING_EXIT: dict[ObjectKind, str] = {
    kind: "leaving the with block sends QUIT and waits for the reply, which blocks the loop; "
    "bind the object instead and call quit() offloaded in a finally clause "
    "('await asyncio.to_thread(obj.quit)')"
    for kind in (ObjectKind.SMTP_CLIENT, ObjectKind.FTP_CLIENT)
}
ASYNC_INSTEAD_FUNCTIONS: dict[str, str] = {"socket.create_connection": _SOCKET}


#: What :func:`codemods.core.blocking.classify` takes a method call on an object of each
#: kind for. Every method blocks but these (as flake8-async treats files and urllib3
#: pools):
CALL_CHEAP_METHODS: dict[ObjectKind, frozenset[str]] = {
    ObjectKind.FILE: frozenset({"fileno", "detach"}),
    ObjectKind.URLLIB3_POOL: frozenset(
        {
            "connection_from_host",
            "connection_from_url",
            "connection_from_context",
            "connection_from_pool_key",
        }
    ),
    **CHEAP_METHODS,
}
#: For these kinds, only these methods block.
CALL_BLOCKING_METHODS: dict[ObjectKind, frozenset[str]] = {
    ObjectKind.PATH: PATH_TO_THREAD,
    ObjectKind.HTTPX_CLIENT: frozenset({*HTTP_METHODS, "send", "close", "stream"}),
    ObjectKind.SQLITE: frozenset(
        {
            "execute",
            "executemany",
            "executescript",
            "commit",
            "rollback",
            "close",
            "backup",
            "fetchone",
            "fetchmany",
            "fetchall",
            "iterdump",
        }
    ),
    ObjectKind.POPEN: frozenset({"wait", "communicate"}),
    ObjectKind.URL_RESPONSE: frozenset(
        {"read", "read1", "readline", "readlines", "readinto", "peek"}
    ),
    **BLOCKING_METHODS,
}


#: The family of blocking calls each kind of object belongs to.
KIND_FAMILY: dict[ObjectKind, Family] = {
    ObjectKind.FILE: Family.FILES,
    ObjectKind.HTTPX_CLIENT: Family.HTTP,
    ObjectKind.URLLIB3_POOL: Family.HTTP,
    ObjectKind.URL_RESPONSE: Family.HTTP,
    ObjectKind.SQLITE: Family.DATABASE,
    ObjectKind.POPEN: Family.SUBPROCESS,
    ObjectKind.REDIS_CLIENT: Family.REDIS,
    ObjectKind.REDIS_PIPELINE: Family.REDIS,
    **{
        kind: Family.NETWORK
        for kind in (
            ObjectKind.MONGO_CLIENT,
            ObjectKind.MONGO_DATABASE,
            ObjectKind.MONGO_COLLECTION,
            ObjectKind.SMTP_CLIENT,
            ObjectKind.FTP_CLIENT,
            ObjectKind.HTTP_CONNECTION,
            ObjectKind.BOTO_CLIENT,
            ObjectKind.BOTO_RESOURCE,
            ObjectKind.BOTO_SESSION,
            ObjectKind.SSH_CLIENT,
            ObjectKind.SFTP_CLIENT,
            ObjectKind.SOCKET,
        )
    },
    **{
        kind: Family.THREADS
        for kind in (
            ObjectKind.THREAD_EVENT,
            ObjectKind.THREAD_QUEUE,
            ObjectKind.FUTURE,
            ObjectKind.EXECUTOR,
            ObjectKind.THREAD,
            ObjectKind.THREAD_LOCK,
            ObjectKind.THREAD_RLOCK,
        )
    },
    **{kind: Family.DATABASE for kind in (ObjectKind.SA_ENGINE, ObjectKind.SA_CONNECTION)},
    ObjectKind.SA_SESSION: Family.DATABASE,
    ObjectKind.REQUESTS_SESSION: Family.REQUESTS,
    ObjectKind.PATH: Family.FILES,
}


def blocking_targets(
    families: frozenset[Family],
    tokens: tuple[bytes, ...],
    calls_only: bool = False,
    method_calls_only: bool = False,
    objects_from_arguments: bool = True,
) -> Targets:
    """What an offloading codemod's prefilter looks for: the blocking functions of
    ``families``, and the constructors and annotations that make a name an object whose
    methods are calls of ``families`` (see ``Targets.calls_only``). With
    ``method_calls_only`` (the codemod acts on an object only where a method of it that
    blocks is called), each object whose kind lists the methods that block matters only
    to a coroutine that spells one of them (``Targets.object_methods``);
    ``objects_from_arguments`` as ``Targets`` has it."""
    names = {name for name, family in FUNCTIONS.items() if family in families}
    kinds = {
        name: kind
        for table in (CONSTRUCTORS, ANNOTATIONS)
        for name, kind in table.items()
        if KIND_FAMILY[kind] in families
    }
    object_methods: dict[str, frozenset[str]] = {}
    made_by_calls: frozenset[str] = frozenset()
    if method_calls_only:
        for name, kind in kinds.items():
            methods = methods_that_block(kind)
            if methods is not None and name not in FUNCTIONS:  # a call of it blocks too
                object_methods[name] = methods
        # An annotation names a kind too (``ftp: ftplib.FTP``): those count when named.
        made_by_calls = frozenset(kinds) & frozenset(FUNCTIONS) - frozenset(ANNOTATIONS)
    objects = frozenset(kinds)
    return Targets(
        tokens=tokens,
        names=frozenset(names) | objects,
        anywhere=objects,
        calls_only=calls_only,
        object_methods=object_methods,
        made_by_calls=made_by_calls,
        objects_from_arguments=objects_from_arguments,
    )


def methods_that_block(kind: ObjectKind) -> frozenset[str] | None:
    """The names of the methods one of which code must call for an object of ``kind`` to
    block in it: those that block, of ``kind`` and of every object its methods return and
    its members are (an executor's ``submit`` gives a future, whose ``result`` blocks);
    None when every method but a few may block, or leaving a ``with`` block on it does."""
    methods: set[str] = set()
    seen = {kind}
    todo = [kind]
    while todo:
        current = todo.pop()
        if current not in CALL_BLOCKING_METHODS or current in BLOCKING_EXIT:
            return None
        methods |= CALL_BLOCKING_METHODS[current]
        made = [made for (of, _), made in RETURNS.items() if of == current]
        if current in MEMBERS:
            made.append(MEMBERS[current])
        todo.extend(k for k in made if k not in seen)
        seen.update(made)
    return frozenset(methods)


#: Methods that return at once when told not to wait: (kind, method) -> the keyword, and
#: the position of the argument, that says so with ``False`` (``executor.shutdown(wait=
#: False)``, ``lock.acquire(blocking=False)``, ``q.get(block=False)``, ``q.put(x, False)``).
NO_WAIT: dict[tuple[ObjectKind, str], tuple[str, int]] = {
    (ObjectKind.EXECUTOR, "shutdown"): ("wait", 0),
    (ObjectKind.THREAD_LOCK, "acquire"): ("blocking", 0),
    (ObjectKind.THREAD_RLOCK, "acquire"): ("blocking", 0),
    (ObjectKind.THREAD_QUEUE, "get"): ("block", 0),
    (ObjectKind.THREAD_QUEUE, "put"): ("block", 1),
}


def call_may_block(kind: ObjectKind, method: str) -> bool:
    """Whether a call of ``method`` on an object of ``kind`` is taken for a blocking one,
    whatever its arguments: not a cheap method, one of the blocking methods where the kind
    lists them, and not a boto3 sub-resource's constructor."""
    if kind in CALL_CHEAP_METHODS and method in CALL_CHEAP_METHODS[kind]:
        return False
    if kind in CALL_BLOCKING_METHODS and method not in CALL_BLOCKING_METHODS[kind]:
        return False
    return not (kind == ObjectKind.BOTO_RESOURCE and method[:1].isupper())
