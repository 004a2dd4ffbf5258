"""An asyncio handler that calls another service with requests: every call blocks the loop.

Run `async-migrate --diff examples/` to see the aiohttp version.
"""

import time

import requests


async def fetch_user(api: str, user_id: int) -> dict:
    for attempt in range(3):
        try:
            r = requests.get(f"{api}/users/{user_id}", timeout=5)
            r.raise_for_status()
            return r.json()
        except requests.RequestException:
            time.sleep(0.2 * attempt)  # back off, then retry
    return {}


async def raw_response(api: str) -> requests.Response:
    # The caller gets the response itself, so it cannot become aiohttp's: the same call
    # runs in a thread instead (the offload fallback).
    return requests.get(api)
