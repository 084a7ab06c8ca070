"""Launch data signed as Telegram signs it for a Mini App, computed with
Python's own hmac (not numbot's code):

    python telegram_launch.py BOT_TOKEN USER_ID LANGUAGE AUTH_DATE [TAMPER]

Prints the page fragment Telegram would open the app with:
`tgWebAppData=...&tgWebAppVersion=8.0&tgWebAppPlatform=tdesktop&tgWebAppThemeParams=...`.
With TAMPER, the user id is changed after signing.
"""

import hashlib
import hmac
import json
import sys
from urllib.parse import quote, urlencode


def main(token, user, language, auth_date, tamper=None):
    fields = {
        "query_id": "AAHtest" + user,
        "user": json.dumps(
            {"id": int(user), "first_name": "Test " + user, "language_code": language},
            separators=(",", ":"),
        ),
        "auth_date": auth_date,
        "chat_type": "private",
        "chat_instance": "-1",
    }
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if tamper:
        fields["user"] = fields["user"].replace(user, tamper)
    init_data = urlencode(fields, quote_via=quote)
    theme = json.dumps({"bg_color": "#ffffff", "text_color": "#000000", "button_color": "#2f80ed"})
    print(
        "tgWebAppData=" + quote(init_data, safe="")
        + "&tgWebAppVersion=8.0&tgWebAppPlatform=tdesktop&tgWebAppThemeParams="
        + quote(theme, safe="")
    )


main(*sys.argv[1:])
