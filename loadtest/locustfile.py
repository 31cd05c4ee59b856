"""A bounded load on 127.0.0.1 (issue #23, docs/performance.md): staff of a municipality
and of a provider at work, reading their lists and files and marking their messages read.
Run by `scripts/bench.sh --load USERS` against its own gunicorn; never against a server you
do not own. Sessions come from the benchmark (OA_LOAD_SESSIONS: JSON {username: [session
ids]}), so the load measures the pages, not 200 password hashings; signing in is measured
apart by the benchmark."""

import json
import os
import random
import secrets

from locust import HttpUser, between, task

SESSIONS: dict[str, list[str]] = json.loads(os.environ.get("OA_LOAD_SESSIONS", "{}"))
CSRF = secrets.token_hex(16)  # 32 characters: Django compares it with the cookie as is


class Staff(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1, 3)  # a person reads what they asked for

    def on_start(self):
        session = random.choice(SESSIONS[self.username])  # noqa: S311 - not security
        self.client.headers["Cookie"] = f"sessionid={session}; csrftoken={CSRF}"
        self.client.headers["X-CSRFToken"] = CSRF

    def read(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    @task(1)
    def mark_messages_read(self):
        with self.client.post(
            "/berichten/", name="POST /berichten/", allow_redirects=False, catch_response=True
        ) as r:
            if r.status_code != 302:
                r.failure(f"{r.status_code}")


class ProcesRegisseur(Staff):
    weight = 3
    username = "almere.pa"

    @task(4)
    def work_list(self):
        self.read("/trajecten/", "PA work list")

    @task(2)
    def about_to_lapse(self):
        self.read("/trajecten/?state=dreigt", "PA work list: dreigt")

    @task(2)
    def search(self):
        self.read(f"/inwoners/?q={random.choice(['Jansen', 'Bakker', 'Vries'])}", "inwoner search")  # noqa: S311

    @task(1)
    def message_log(self):
        self.read("/iwmo-berichten/", "iWmo message log")


class Werkverdeler(Staff):
    weight = 2
    username = "kade.werkverdeler"

    @task(4)
    def inbox(self):
        self.read("/aanbieder/", "provider inbox")

    @task(2)
    def to_assign(self):
        self.read("/aanbieder/?verdeling=nee", "provider inbox: nog te verdelen")


class Administratie(Staff):
    weight = 1
    username = "kade.administratie"

    @task
    def billing(self):
        self.read("/declareren/", "declareren")
