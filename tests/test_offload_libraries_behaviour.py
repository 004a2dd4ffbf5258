"""The ``offload`` codemod on waits for other threads, ``http.client`` and ``smtplib``, run
for real on loopback: the migrated coroutine returns what the original returned, and the event
loop keeps running (a 10 ms heartbeat ticks) while it waits."""

from __future__ import annotations

import asyncio
import queue
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiohttp import web

from async_migrate import migrate_source
from tests.behaviour import http_server, load, with_heartbeat

THREADS = """
import concurrent.futures
import queue
import threading
import time


def later(delay, action):
    def run():
        time.sleep(delay)
        return action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


async def waits(delay):
    done = threading.Event()
    setter = later(delay, done.set)
    flag = done.wait(5)
    setter.join()

    jobs = queue.Queue()
    producer = later(delay, lambda: jobs.put("job"))
    item = jobs.get(timeout=5)

    lock = threading.Lock()
    lock.acquire()
    releaser = later(delay, lock.release)
    lock.acquire()
    lock.release()

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(lambda: time.sleep(delay) or 42)
    concurrent.futures.wait([future], timeout=5)
    answer = future.result()
    pool.shutdown()

    worker = threading.Thread(target=time.sleep, args=(delay,))
    worker.start()
    worker.join()
    producer.join()
    releaser.join()
    return flag, item, answer
"""


@pytest.mark.timing
def test_thread_waits_give_the_same_results_while_the_loop_runs() -> None:
    migrated = migrate_source(THREADS, ["offload"])
    assert {f.code for f in migrated.findings} == {"AM601"} and not migrated.left
    code = migrated.code.decode()
    for call in ("done.wait, 5", "jobs.get, timeout=5", "lock.acquire", "future.result"):
        assert f"await asyncio.to_thread({call})" in code
    assert "await asyncio.to_thread(worker.join)" in code
    assert "await asyncio.to_thread(concurrent.futures.wait, [future], timeout=5)" in code
    outcomes = []
    for source in (THREADS, code):
        module = load(source, "m")
        outcomes.append(asyncio.run(with_heartbeat(lambda m=module: m.waits(0.15))))
    (before, before_ticks), (after, after_ticks) = outcomes
    assert before == after == (True, "job", 42)
    # five waits of 0.15 s: the original freezes the loop, the migrated code does not
    assert before_ticks <= 5, before_ticks
    assert after_ticks >= 30, after_ticks


def test_an_rlock_acquired_in_a_worker_thread_cannot_be_released_in_the_coroutine() -> None:
    """Why ``RLock.acquire`` is reported (AM603) and ``Lock.acquire`` offloaded."""

    async def offloaded(lock: Any) -> None:
        await asyncio.to_thread(lock.acquire)
        lock.release()

    asyncio.run(offloaded(threading.Lock()))
    with pytest.raises(RuntimeError):
        asyncio.run(offloaded(threading.RLock()))
    source = "import threading\n\nasync def f(lock: threading.RLock):\n    pass\n"
    source += "\n\nasync def g():\n    r = threading.RLock()\n    r.acquire()\n"
    result = migrate_source(source, ["offload"])
    assert [f.code for f in result.left] == ["AM603"] and not result.changed


HTTP_CLIENT = """
import http.client


async def fetch(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request("GET", path, headers={"X-Token": "t"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.getheader("Content-Type"), body
"""

routes = web.RouteTableDef()


@routes.get("/slow")
async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(0.3)
    return web.Response(text=f"token {request.headers.get('X-Token')}")


@pytest.mark.timing
def test_http_client_calls_give_the_same_response_while_the_loop_runs() -> None:
    migrated = migrate_source(HTTP_CLIENT, ["offload"])
    assert {f.code for f in migrated.findings} == {"AM601"} and not migrated.left
    assert b"response = await asyncio.to_thread(conn.getresponse)" in migrated.code
    outcomes = []
    with http_server(routes) as url:
        host, port = url.removeprefix("http://").split(":")
        for source in (HTTP_CLIENT, migrated.code):
            module = load(source, "m")
            outcomes.append(
                asyncio.run(with_heartbeat(lambda m=module: m.fetch(host, int(port), "/slow")))
            )
    (before, before_ticks), (after, after_ticks) = outcomes
    assert before == after == (200, "text/plain; charset=utf-8", b"token t")
    assert before_ticks <= 3, before_ticks
    assert after_ticks >= 15, after_ticks


SMTP = """
import smtplib
from email.message import EmailMessage


async def send(host, port, to, text):
    message = EmailMessage()
    message["From"] = "app@example.org"
    message["To"] = to
    message["Subject"] = "report"
    message.set_content(text)
    smtp = smtplib.SMTP(host, port, timeout=5)
    try:
        smtp.ehlo()
        refused = smtp.send_message(message)
    finally:
        smtp.quit()
    return refused
"""


@contextmanager
def smtp_server(delay: float) -> Iterator[tuple[int, queue.Queue[bytes]]]:
    """A minimal SMTP server on 127.0.0.1 (one client at a time, in a thread): the port,
    and a queue receiving each message's DATA. It answers DATA after ``delay`` seconds."""
    received: queue.Queue[bytes] = queue.Queue()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                conn.sendall(b"220 localhost ready\r\n")
                for line in lines:
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 localhost\r\n")
                    elif verb == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        data = b"".join(iter(lines.readline, b".\r\n"))
                        received.put(data)
                        stop.wait(delay)
                        conn.sendall(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:  # MAIL, RCPT, RSET, NOOP
                        conn.sendall(b"250 ok\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, received
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


@pytest.mark.timing
def test_smtplib_calls_send_the_same_message_while_the_loop_runs() -> None:
    migrated = migrate_source(SMTP, ["offload"])
    assert {f.code for f in migrated.findings} == {"AM601"} and not migrated.left
    assert b"await asyncio.to_thread(smtplib.SMTP, host, port, timeout=5)" in migrated.code
    outcomes = []
    with smtp_server(0.3) as (port, received):
        for source in (SMTP, migrated.code):
            module = load(source, "m")
            result, ticks = asyncio.run(
                with_heartbeat(lambda m=module: m.send("127.0.0.1", port, "ops@example.org", "hi"))
            )
            outcomes.append((result, received.get(timeout=5), ticks))
    (before, sent_before, before_ticks), (after, sent_after, after_ticks) = outcomes
    assert before == after == {}
    assert sent_before == sent_after and b"To: ops@example.org" in sent_before
    assert before_ticks <= 3, before_ticks
    assert after_ticks >= 15, after_ticks
