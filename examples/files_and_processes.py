"""Handlers that read and write files and run commands from coroutines.

Run `async-migrate --diff examples/` to see what the tool changes.
"""

import json
import os
import subprocess


async def save_settings(path: str, settings: dict) -> dict:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(settings, f, indent=2)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


async def count_lines(path: str) -> int:
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            total += bool(line.strip())
    return total


async def tidy(path: str) -> bool:
    if os.path.exists(path):
        os.remove(path)
    return os.path.exists(path)


async def git_head(repo: str) -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True)
    return done.stdout.strip()


async def ask_name() -> str:
    return input("name? ")
