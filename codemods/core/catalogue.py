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
SOCKET = "blocking socket"

REQUESTS, HTTP, SUBPROCESS, FILES, INPUT, SLEEP, DATABASE = (
    "requests",
    "http",
    "subprocess",
    "files",
    "input",
    "sleep",
    "database",
)
#: redis-py; network clients (pymongo, smtplib, ftplib, http.client, botocore, paramiko,
#: sockets); waits on other threads (events, queues, futures, joins, locks).
REDIS, NETWORK, THREADS = "redis", "network", "threads"

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

_REDIS_CLASSES = ("Redis", "StrictRedis", "client.Redis", "client.StrictRedis")
_REDIS_CLIENTS = (*_REDIS_CLASSES, "from_url", "utils.from_url")

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
    # Constructors that connect at once when given a host.
    **{f"smtplib.{c}": NETWORK for c in ("SMTP", "SMTP_SSL", "LMTP")},
    **{f"ftplib.{c}": NETWORK for c in ("FTP", "FTP_TLS")},
    "socket.create_connection": NETWORK,
    "concurrent.futures.wait": THREADS,
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
    **{f"redis.{name}": REDIS_CLIENT for name in _REDIS_CLIENTS},
    **{f"redis.{name}.from_url": REDIS_CLIENT for name in _REDIS_CLASSES},
    **{f"pymongo.{name}": MONGO_CLIENT for name in ("MongoClient", "mongo_client.MongoClient")},
    **{f"smtplib.{c}": SMTP_CLIENT for c in ("SMTP", "SMTP_SSL", "LMTP")},
    **{f"ftplib.{c}": FTP_CLIENT for c in ("FTP", "FTP_TLS")},
    **{f"http.client.{c}": HTTP_CONNECTION for c in ("HTTPConnection", "HTTPSConnection")},
    "boto3.client": BOTO_CLIENT,
    "boto3.resource": BOTO_RESOURCE,
    "boto3.Session": BOTO_SESSION,
    "boto3.session.Session": BOTO_SESSION,
    "paramiko.SSHClient": SSH_CLIENT,
    "paramiko.client.SSHClient": SSH_CLIENT,
    "paramiko.SFTPClient.from_transport": SFTP_CLIENT,
    "threading.Event": THREAD_EVENT,
    **{f"queue.{c}": THREAD_QUEUE for c in ("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue")},
    "concurrent.futures.Future": FUTURE,
    **{
        f"concurrent.futures.{c}": EXECUTOR
        for c in ("ThreadPoolExecutor", "ProcessPoolExecutor", "Executor")
    },
    "threading.Thread": THREAD,
    "threading.Lock": THREAD_LOCK,
    "threading.RLock": THREAD_RLOCK,
    "sqlalchemy.create_engine": SA_ENGINE,
    "sqlalchemy.engine.create_engine": SA_ENGINE,
    "sqlalchemy.orm.Session": SA_SESSION,
    "sqlalchemy.orm.session.Session": SA_SESSION,
    "socket.socket": SOCKET,
    "socket.create_connection": SOCKET,
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
    **{f"redis.{name}": REDIS_CLIENT for name in _REDIS_CLASSES},
    **{f"redis.{name}": REDIS_PIPELINE for name in ("client.Pipeline", "Pipeline")},
    "pymongo.MongoClient": MONGO_CLIENT,
    "pymongo.mongo_client.MongoClient": MONGO_CLIENT,
    "pymongo.database.Database": MONGO_DATABASE,
    "pymongo.collection.Collection": MONGO_COLLECTION,
    **{f"smtplib.{c}": SMTP_CLIENT for c in ("SMTP", "SMTP_SSL", "LMTP")},
    **{f"ftplib.{c}": FTP_CLIENT for c in ("FTP", "FTP_TLS")},
    **{f"http.client.{c}": HTTP_CONNECTION for c in ("HTTPConnection", "HTTPSConnection")},
    "botocore.client.BaseClient": BOTO_CLIENT,
    "boto3.session.Session": BOTO_SESSION,
    "boto3.Session": BOTO_SESSION,
    "paramiko.SSHClient": SSH_CLIENT,
    "paramiko.client.SSHClient": SSH_CLIENT,
    "paramiko.SFTPClient": SFTP_CLIENT,
    "paramiko.sftp_client.SFTPClient": SFTP_CLIENT,
    "threading.Event": THREAD_EVENT,
    **{f"queue.{c}": THREAD_QUEUE for c in ("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue")},
    "concurrent.futures.Future": FUTURE,
    **{
        f"concurrent.futures.{c}": EXECUTOR
        for c in ("ThreadPoolExecutor", "ProcessPoolExecutor", "Executor")
    },
    "threading.Thread": THREAD,
    "sqlalchemy.Engine": SA_ENGINE,
    "sqlalchemy.engine.Engine": SA_ENGINE,
    "sqlalchemy.Connection": SA_CONNECTION,
    "sqlalchemy.engine.Connection": SA_CONNECTION,
    "sqlalchemy.orm.Session": SA_SESSION,
    "sqlalchemy.orm.session.Session": SA_SESSION,
    "socket.socket": SOCKET,
}

# -- what the methods of each kind do ---------------------------------------------

#: Objects a method call on an object of a kind returns: (kind, method) -> kind.
RETURNS: dict[tuple[str, str], str] = {
    (REDIS_CLIENT, "pipeline"): REDIS_PIPELINE,
    (MONGO_CLIENT, "get_database"): MONGO_DATABASE,
    (MONGO_CLIENT, "get_default_database"): MONGO_DATABASE,
    (MONGO_DATABASE, "get_collection"): MONGO_COLLECTION,
    (MONGO_COLLECTION, "with_options"): MONGO_COLLECTION,
    (HTTP_CONNECTION, "getresponse"): URL_RESPONSE,
    (BOTO_SESSION, "client"): BOTO_CLIENT,
    (BOTO_SESSION, "resource"): BOTO_RESOURCE,
    (SSH_CLIENT, "open_sftp"): SFTP_CLIENT,
    (SFTP_CLIENT, "open"): FILE,
    (SFTP_CLIENT, "file"): FILE,
    (EXECUTOR, "submit"): FUTURE,
    (SA_ENGINE, "connect"): SA_CONNECTION,
    (SA_ENGINE, "begin"): SA_CONNECTION,
}
#: Objects an attribute or a subscript of an object of a kind gives (``client.db``,
#: ``client["db"]["items"]``).
MEMBERS: dict[str, str] = {
    MONGO_CLIENT: MONGO_DATABASE,
    MONGO_DATABASE: MONGO_COLLECTION,
    MONGO_COLLECTION: MONGO_COLLECTION,  # a sub-collection: db.items.archive
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
BLOCKING_METHODS: dict[str, frozenset[str]] = {
    REDIS_PIPELINE: frozenset({"execute", "watch", "unwatch", "reset"}),
    MONGO_CLIENT: frozenset(
        {"server_info", "list_database_names", "list_databases", "drop_database", "close"}
    ),
    MONGO_DATABASE: frozenset(
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
    MONGO_COLLECTION: frozenset(
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
    SMTP_CLIENT: frozenset(
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
    FTP_CLIENT: frozenset(
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
    HTTP_CONNECTION: frozenset(
        {"request", "getresponse", "connect", "send", "endheaders", "putrequest"}
    ),
    SSH_CLIENT: frozenset(
        {"connect", "exec_command", "open_sftp", "invoke_shell", "load_system_host_keys"}
    ),
    SFTP_CLIENT: frozenset(
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
    THREAD_EVENT: frozenset({"wait"}),
    THREAD_QUEUE: frozenset({"get", "put", "join"}),
    FUTURE: frozenset({"result", "exception"}),
    EXECUTOR: frozenset({"shutdown"}),
    THREAD: frozenset({"join"}),
    THREAD_LOCK: frozenset({"acquire"}),
    THREAD_RLOCK: frozenset({"acquire"}),
    SA_ENGINE: frozenset({"connect", "begin", "dispose", "raw_connection"}),
    SA_CONNECTION: frozenset(
        {"execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback", "close"}
    ),
    SA_SESSION: frozenset(
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
    SOCKET: frozenset(
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
CHEAP_METHODS: dict[str, frozenset[str]] = {
    REDIS_CLIENT: REDIS_LOCAL_METHODS,
    BOTO_CLIENT: frozenset(
        {
            "get_paginator",
            "get_waiter",
            "can_paginate",
            "generate_presigned_url",
            "generate_presigned_post",
            "close",
        }
    ),
    BOTO_RESOURCE: frozenset(),
    BOTO_SESSION: frozenset(
        {"client", "resource", "get_available_services", "get_available_resources"}
    ),
}
#: Kinds bound to the thread that made them, or unsafe to hand to a worker thread: why,
#: and what to use instead.
THREAD_BOUND: dict[str, str] = {
    THREAD_RLOCK: "an RLock belongs to the thread that acquired it: acquired in a worker "
    "thread, it cannot be released in the coroutine (RuntimeError); use an asyncio.Lock",
    SA_ENGINE: "SQLAlchemy's sync engine hands out connections that must stay with one "
    "thread at a time; use sqlalchemy.ext.asyncio (create_async_engine, AsyncSession)",
    SA_CONNECTION: "a SQLAlchemy Connection is not safe to share between threads; use "
    "sqlalchemy.ext.asyncio (AsyncConnection from create_async_engine(...).connect())",
    SA_SESSION: "a SQLAlchemy Session is not thread-safe and its connection may be bound to "
    "its thread; use sqlalchemy.ext.asyncio.AsyncSession",
    BOTO_RESOURCE: "boto3 resources are not thread-safe (boto3 docs, 'Multithreading'); "
    "use a client, boto3.client(...), whose calls can be offloaded, or aioboto3",
    BOTO_SESSION: "boto3 sessions are not thread-safe (boto3 docs, 'Multithreading'); "
    "create the client first (session.client(...)) and offload its calls",
}
#: Calls that offloading would not make non-blocking or faithful, with the async API to
#: use instead: by (kind, method), by kind, and by function.
ASYNC_INSTEAD: dict[tuple[str, str], str] = {
    **{(MONGO_COLLECTION, m): _MONGO_CURSOR for m in ("find", "find_raw_batches", "watch")},
    **{(MONGO_COLLECTION, m): _MONGO_CURSOR for m in ("aggregate", "aggregate_raw_batches")},
    (MONGO_COLLECTION, "list_indexes"): _MONGO_CURSOR,
    (MONGO_DATABASE, "aggregate"): _MONGO_CURSOR,
    (MONGO_DATABASE, "list_collections"): _MONGO_CURSOR,
    (MONGO_CLIENT, "list_databases"): _MONGO_CURSOR,
    (FTP_CLIENT, "mlsd"): "a generator that does its I/O while iterated; offload the "
    "whole listing: 'await asyncio.to_thread(lambda: list(ftp.mlsd(path)))'",
    (SFTP_CLIENT, "listdir_iter"): "a generator that does its I/O while iterated; use "
    "listdir_attr(), which returns a list, offloaded",
    **{(REDIS_CLIENT, method): why for method, why in REDIS_ASYNC_SHAPES.items()},
}
ASYNC_INSTEAD_KINDS: dict[str, str] = {SOCKET: _SOCKET}
#: Kinds whose ``with`` block blocks when it is left.
BLOCKING_EXIT: dict[str, str] = {
    kind: "leaving the with block sends QUIT and waits for the reply, which blocks the loop; "
    "bind the object instead and call quit() offloaded in a finally clause "
    "('await asyncio.to_thread(obj.quit)')"
    for kind in (SMTP_CLIENT, FTP_CLIENT)
}
ASYNC_INSTEAD_FUNCTIONS: dict[str, str] = {"socket.create_connection": _SOCKET}


def blocking_targets(families: set[str], tokens: tuple[bytes, ...]) -> Targets:
    """What an offloading codemod's prefilter looks for: the blocking functions of
    ``families``, and every constructor and annotation that makes a name a blocking
    object."""
    names = {name for name, family in FUNCTIONS.items() if family in families}
    objects = frozenset(set(CONSTRUCTORS) | set(ANNOTATIONS))
    return Targets(tokens=tokens, names=frozenset(names) | objects, anywhere=objects)


def method_blocks(kind: str, method: str) -> bool:
    """Whether calling ``method`` on an object of ``kind`` may block: as the method tables
    above say for the kinds they list, and any method for the other kinds."""
    if kind in BLOCKING_METHODS:
        return method in BLOCKING_METHODS[kind]
    if kind in CHEAP_METHODS:
        return method not in CHEAP_METHODS[kind]
    return True
