"""What a class keeps on ``self``, read from the whole module as a type checker reads it."""

from __future__ import annotations

from codemods.core.attributes import attribute_kinds
from codemods.core.catalogue import ObjectKind

SOURCE = b"""
import io
import sqlite3
import threading
from typing import Optional

import redis as cache


class Store:
    log: Optional[io.TextIOWrapper] = None
    client = cache.Redis()

    def __init__(self, path):
        self.conn = sqlite3.connect(path)
        self.ready: threading.Event = threading.Event()
        self.tmp = open(path + ".tmp", "w")
        self.pair = open(path)
        self.a, self.b = open(path), open(path)
        self.gone = open(path)

    def reopen(self, path):
        with open(path) as self.current:
            pass
        self.pair = io.StringIO()
        del self.gone
        self.tmp = None

    @classmethod
    def make(cls, path):
        cls.made = open(path)

    @property
    def current(self):
        return None

    class Inner:
        def __init__(me, path):
            me.out = open(path, "a")


if True:
    class Guarded:
        def start(self):
            self.lock = threading.Lock()
"""


def test_each_attribute_takes_the_kind_every_binding_says() -> None:
    assert attribute_kinds(SOURCE) == {
        ("Store", "log"): ObjectKind.FILE,  # declared, None as the default
        ("Store", "client"): ObjectKind.REDIS_CLIENT,  # an object all instances share
        ("Store", "conn"): ObjectKind.SQLITE,
        ("Store", "ready"): ObjectKind.THREAD_EVENT,
        ("Store", "tmp"): ObjectKind.FILE,  # set to None when dropped
        ("Store.Inner", "out"): ObjectKind.FILE,  # whatever the instance is called
        ("Guarded", "lock"): ObjectKind.THREAD_LOCK,  # a class in a block of the module
    }
    # Not there: ``pair`` (also a StringIO), ``a``/``b`` (a tuple target), ``gone``
    # (deleted), ``current`` (a property), ``made`` (bound by a class method).


def test_a_module_ast_cannot_parse_keeps_nothing() -> None:
    assert attribute_kinds(b"class C:\n    def f(self):\n        self.x = open(\n") == {}


def test_a_class_inherits_what_the_classes_it_derives_from_keep() -> None:
    source = b"""
import io
import sqlite3


class Base:
    def __init__(self, path):
        self.conn = sqlite3.connect(path)
        self.out = open(path + ".log", "a")


class Repo(Base):
    async def count(self):
        return self.conn.execute("select 1")


class Buffered(Base):
    def reset(self):
        self.out = io.StringIO()
"""
    assert attribute_kinds(source) == {
        ("Base", "conn"): ObjectKind.SQLITE,
        ("Base", "out"): ObjectKind.FILE,
        ("Repo", "conn"): ObjectKind.SQLITE,
        ("Repo", "out"): ObjectKind.FILE,
        ("Buffered", "conn"): ObjectKind.SQLITE,
        # ``out`` of a Buffered may also be a StringIO: no kind
    }


def test_a_parameter_annotated_with_a_kind_gives_it_to_what_it_is_kept_as() -> None:
    source = b"""
import sqlite3
from typing import Optional

import redis


class Repo:
    def __init__(self, conn: sqlite3.Connection, cache: Optional[redis.Redis] = None, log=None):
        self.conn = conn
        self.cache = cache
        self.log = log


class Rebound:
    def __init__(self, conn: sqlite3.Connection):
        conn = conn or None
        self.conn = conn
"""
    assert attribute_kinds(source) == {
        ("Repo", "conn"): ObjectKind.SQLITE,
        ("Repo", "cache"): ObjectKind.REDIS_CLIENT,
        # ``log`` has no annotation; ``Rebound.conn``'s parameter is bound again
    }


def test_a_path_built_and_kept_is_a_path_and_so_is_one_built_from_it() -> None:
    source = b"""
import pathlib
from pathlib import Path


class Workspace:
    def __init__(self, base, name):
        self.root = pathlib.Path(base).resolve()
        self.config = self.root / "config.toml"
        self.home = Path.home() / name
        self.label = str(base)
        self.other = base
"""
    assert attribute_kinds(source) == {
        ("Workspace", "root"): ObjectKind.PATH,
        ("Workspace", "config"): ObjectKind.PATH,
        ("Workspace", "home"): ObjectKind.PATH,
    }
