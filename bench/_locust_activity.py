"""Locust users for bench/activity_submit.py (not a benchmark of its own: the leading underscore keeps
bench/run.py from running it).

Each simulated phone takes the next prepared account (a bearer token, its catalog item and the dates
still inside the entry window) and submits one activity per request through the API, every time in
a new evening slot, so no request is refused for overlapping another.
"""

from __future__ import annotations

import itertools
import json
import os
import threading

from locust import FastHttpUser, constant, constant_throughput, task

ACCOUNTS = json.loads(open(os.environ["BENCH_ACCOUNTS"], encoding="utf-8").read())
RATE = float(os.environ.get("BENCH_USER_RATE", "0"))  # requests/s per user; 0 = as fast as possible
OFFSET = int(os.environ.get("BENCH_ACCOUNT_OFFSET", "0"))  # each run uses its own accounts
_next = itertools.count(OFFSET)
_lock = threading.Lock()
# Evening slots of 5 minutes, 17:00-23:50 (the item takes 5 standard minutes); the demo's own
# entries end by 17:00.
SLOTS = [(h, m) for h in range(17, 24) for m in range(0, 60, 5)][:-1]


class Phone(FastHttpUser):
    wait_time = constant_throughput(RATE) if RATE else constant(0)

    def on_start(self):
        with _lock:
            i = next(_next)
        # One account per simulated phone (the benchmark prepares more accounts than users).
        self.account = ACCOUNTS[i % len(ACCOUNTS)]
        self.headers = {"Authorization": f"Bearer {self.account['token']}"}
        self.slots = [(d, s) for d in self.account["dates"] for s in SLOTS]
        self.n = 0

    @task
    def submit(self):
        if self.n >= len(self.slots):
            self.stop()
            return
        day, (h, m) = self.slots[self.n]
        self.n += 1
        end_h, end_m = (h, m + 5) if m < 55 else (h + 1, 0)
        body = {
            "date": day,
            "start_time": f"{h:02d}:{m:02d}",
            "end_time": f"{end_h:02d}:{end_m:02d}",
            "item_id": self.account["item"],
            "volume": "1",
            "description": "Uji beban pengajuan aktivitas",
            "submit": True,
        }
        with self.client.post(
            "/api/v1/activities/entries",
            json=body,
            headers=self.headers,
            name="POST /api/v1/activities/entries (submit)",
            catch_response=True,
        ) as resp:
            if resp.status_code != 201:
                resp.failure(f"{resp.status_code} {resp.text[:200]}")
