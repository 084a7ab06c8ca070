#!/usr/bin/env python3
"""Takes a number from numbot for a test, waits for the verification code
that reaches it, and releases the number: the standard library only.

    from take_number import Numbot
    numbot = Numbot("http://numbot:8080", "nbt_...")
    with numbot.number("UAE Mobile") as use:
        app_under_test.sign_up(use.number)
        code = use.code(timeout=300)

or from a shell: NUMBOT_URL=... NUMBOT_TOKEN=... python3 take_number.py "UAE Mobile"
(prints the number, then the code once it arrives).
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request


class NumbotError(Exception):
    """A refusal from the API: its status and its error body."""

    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body.get('error', {}).get('message', body)}")
        self.status = status
        self.body = body


class Numbot:
    """A client of numbot's /v1 API."""

    def __init__(self, url, token):
        self.url = url.rstrip("/") + "/v1"
        self.token = token

    def call(self, method, path, body=None, timeout=130):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            raise NumbotError(e.code, json.load(e)) from None

    def number(self, category):
        """A number of `category`, released when the `with` block ends."""
        return Use(self, self.call("POST", "/numbers", {"category": category}))


class Use:
    """One number held for a test."""

    def __init__(self, numbot, use):
        self.numbot = numbot
        self.id = use["use_id"]
        self.number = use["number"]
        self.ended = False

    def messages(self, after=0, wait=60):
        return self.numbot.call("GET", f"/uses/{self.id}/messages?wait={wait}&after={after}")

    def code(self, timeout=300):
        """The first verification code that reaches the number from a sender
        the category expects (others may be forged)."""
        deadline = time.monotonic() + timeout
        after = 0
        while time.monotonic() < deadline:
            wait = max(1, min(60, int(deadline - time.monotonic())))
            for message in self.messages(after, wait):
                after = max(after, message["id"])
                if message["code"] and not message.get("unexpected_sender"):
                    return message["code"]
        raise TimeoutError(f"no code reached {self.number} in {timeout} s")

    def done(self):
        self.numbot.call("POST", f"/uses/{self.id}/done")
        self.ended = True

    def __enter__(self):
        return self

    def __exit__(self, *_):
        if not self.ended:
            try:
                self.numbot.call("POST", f"/uses/{self.id}/cancel")
            except NumbotError as e:
                if e.status != 404:
                    raise


if __name__ == "__main__":
    numbot = Numbot(os.environ["NUMBOT_URL"], os.environ["NUMBOT_TOKEN"])
    with numbot.number(sys.argv[1]) as use:
        print(use.number, flush=True)
        print(use.code(), flush=True)
        use.done()
