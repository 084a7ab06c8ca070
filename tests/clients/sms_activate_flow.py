"""An SMS-Activate client library (aiosmsactivate, from PyPI) pointed at
numbot: balance, a number, its code, another code, done, a cancel, a bad key.

    python sms_activate_flow.py BASE_URL API_KEY

Prints one line per step. After `NUMBER ...` it waits for a line on stdin
(the test has the fake provider send the SMS), and again after `RETRY ...`.
"""

import asyncio
import sys

from aiosmsactivate import SmsActivate, SmsActivateException
from aiosmsactivate.types import ActivationStatus, SetActivationStatus


def say(*words):
    print(*words, flush=True)


async def code_of(client, activation_id):
    for _ in range(300):
        status, code = await client.get_activation_status_v1(activation_id)
        if status == ActivationStatus.OK:
            return code
        await asyncio.sleep(0.1)
    raise SystemExit("no code within 30 s")


async def main(base, key):
    url = base.rstrip("/") + "/stubs/handler_api.php"
    client = SmsActivate(key, base_url=url)
    say("BALANCE", await client.get_balance())
    number = await client.purchase("tg", country=95)
    say("NUMBER", number.activation_id, number.phone_number, number.country_code,
        str(number.activation_time)[:2])
    status, _ = await client.get_activation_status_v1(number.activation_id)
    say("STATUS", status.name)
    sys.stdin.readline()
    say("CODE", await code_of(client, number.activation_id))
    data = await client.get_activation_status(number.activation_id)
    say("V2", data.sms.code, data.sms.text)
    again = await client.set_activation_status(number.activation_id, SetActivationStatus.AGAIN)
    status, code = await client.get_activation_status_v1(number.activation_id)
    say("RETRY", again.name, status.name, code)
    sys.stdin.readline()
    say("CODE", await code_of(client, number.activation_id))
    done = await client.set_activation_status(number.activation_id, SetActivationStatus.COMPLETE)
    say("DONE", done.name)
    other = await client.purchase("wa", country=95)
    cancelled = await client.set_activation_status(other.activation_id, SetActivationStatus.CANCEL)
    status, _ = await client.get_activation_status_v1(other.activation_id)
    say("CANCEL", cancelled.name, status.name)
    say("BALANCE", await client.get_balance())
    try:
        await SmsActivate("nbt_not_a_key", base_url=url).get_balance()
        say("BADKEY", "accepted")
    except SmsActivateException as e:
        say("BADKEY", e.code)


asyncio.run(main(sys.argv[1], sys.argv[2]))
