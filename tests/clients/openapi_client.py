"""A client generated from numbot's OpenAPI document by openapi-python-client
takes a number, reads its code and ends the use:

    python openapi_client.py BASE_URL TOKEN CATEGORY

with the generated package `numbot_client` on PYTHONPATH. Prints
`NUMBER <e164>`, then `CODE <code>`, then `ENDED <how>` and `AGAIN <error code>`.
"""

import sys
import time

import httpx

from numbot_client import AuthenticatedClient
from numbot_client.api.default import categories, done, messages, take
from numbot_client.models import ErrorBody, TakeRequest, Use
from numbot_client.types import Unset

WAIT = 5


def say(*words):
    print(*words, flush=True)


def main(base_url, token, category):
    client = AuthenticatedClient(
        base_url=base_url,
        token=token,
        timeout=httpx.Timeout(WAIT + 10),
        raise_on_unexpected_status=True,
    )
    with client:
        listed = categories.sync(client=client)
        say("CATEGORIES", ",".join(c.name for c in listed))
        use = take.sync(client=client, body=TakeRequest(category=category, wait=10))
        if not isinstance(use, Use):
            say("REFUSED", use.error.code)
            return 1
        say("NUMBER", use.number)
        code, after, deadline = None, 0, time.monotonic() + 30
        while code is None and time.monotonic() < deadline:
            for m in messages.sync(use.use_id, client=client, wait=WAIT, after=after):
                after = max(after, m.id)
                if not isinstance(m.code, Unset) and m.code is not None:
                    code = m.code
        say("CODE", code)
        ended = done.sync(use.use_id, client=client)
        say("ENDED", ended.ended)
        again = done.sync(use.use_id, client=client)
        say("AGAIN", again.error.code if isinstance(again, ErrorBody) else type(again).__name__)
    return 0 if code else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
