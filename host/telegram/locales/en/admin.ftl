# Admin texts: /broadcast, /export, /approve, /ban, /unban and /token.

## /broadcast

broadcast-usage = Usage: /broadcast TEXT. Every active user gets TEXT once you confirm.
broadcast-busy = A broadcast is being sent: stop it, or wait until it ends.
broadcast-records-failed = The user records failed: { $error }
broadcast-preview = 📣 To { $n } active users:
broadcast-send-button = Send to { $n }
broadcast-cancel-button = Cancel
broadcast-stop-button = Stop
broadcast-not-current = This preview is no longer current.
broadcast-sending = Sending.
broadcast-cancelled = Broadcast cancelled: nothing was sent.
broadcast-over = This broadcast is over.
broadcast-stopping = Stopping.
broadcast-counts = { $delivered } delivered, { $blocked } blocked the bot, { $failed } failed
broadcast-progress = 📣 Broadcast: { $sent } of { $total } sent ({ $counts }).
broadcast-stopped = 📣 Broadcast stopped after { $sent } of { $total }: { $counts }.
broadcast-finished = 📣 Broadcast finished: { $sent } of { $total }: { $counts }.

## /export

export-usage = Usage: /export [from] [to], dates as YYYY-MM-DD (UTC, both included). Without dates: every use.
export-bad-date = { $date } is not a date: write it as YYYY-MM-DD (UTC).
export-no-tempdir = The export could not be written: no temporary directory.
export-failed = The export failed: { $error }
export-none = No use ended in that period.
export-too-big = The { $format } file is { $mb } MB, over Telegram's 50 MB: export a shorter period, or run `numbot export FILE` on the server.
export-caption = { $n } uses ({ $format })

## /approve, /ban, /unban and the Approve / Reject buttons

people-ban-usage = Usage: /ban <user id> [reason]
people-unban-usage = Usage: /unban <user id>
people-admin-unbannable = Admins cannot be banned; remove them from the configuration first.
people-records-unreadable = The user records cannot be read now.
people-records-unwritable = The user records cannot be written now; nothing changed.
people-nobody-waiting = Nobody is waiting for approval.
people-waiting = { $n } users wait for approval:
people-approve-button = Approve { $name } ({ $id })
people-reject-button = Reject
people-approved-toast = Approved user { $id }.
people-rejected-toast = Rejected and banned user { $id }.
people-is-banned = User { $id } is banned: /unban { $id } lifts the ban.
people-has-access = User { $id } already has access.
people-not-asked = User { $id } has not asked for access.
people-banned = Banned { $name } ({ $id }).
people-banned-released = Banned { $name } ({ $id }); their number went back to the pool.
people-approved = { $name } ({ $id }) may now take numbers.
# To the user concerned, in their language.
people-you-are-banned = You have been banned from this bot by an admin.
people-you-have-access = An admin gave you access: use /countries to get a number.

## /token (HTML: keep the tags)

token-usage =
    Usage:
    /token create NAME [--max-uses N] [--numbers-per-window N] [--categories A,B]
    /token list
    /token revoke NAME
token-needs-value = { $flag } needs a value
token-takes-number = { $flag } takes a number from 1 to { $max }
token-unknown-option = unknown option { $option }
token-made =
    Token <b>{ $name }</b> made. Its secret, shown this once (numbot keeps only its hash):
    <code>{ $secret }</code>
    Clients send it as <code>Authorization: Bearer …</code>.
    This message deletes itself in 10 minutes, or at once when you press the button: copy the secret now.
token-secret-delete-button = Copied: delete this message
token-secret-deleted = Deleted: the secret is no longer in this chat.
token-exists = A token named <b>{ $name }</b> exists already.
token-store-failed = The token could not be stored now; nothing changed.
token-unreadable = The tokens cannot be read now.
token-none = No API tokens yet: /token create NAME
token-list-title = <b>API tokens</b>
token-list-line = { $name } · { $max } at once · { $categories } · { $state }
token-live = live
token-revoked-at = revoked { $at }
token-all-categories = all categories
token-revoked = Token <b>{ $name }</b> revoked.
token-no-live = No live token named <b>{ $name }</b>.
token-revoke-failed = The token could not be revoked now; nothing changed.
