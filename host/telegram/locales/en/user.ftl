# What every user sees: /start, /help, /countries, a number and its buttons, /stats, /history; access and refusals (access-), and the handler tree's answers (bot-).

## /start and /help
user-welcome = Welcome to numbot. It hands out phone numbers from your team's pool for SMS verification tests.
user-help-intro = numbot gives you a phone number from the team's pool; use it for a verification, then press Done (Cancel gives it back unused; Change number gets another).
user-help-admins = Admins:
user-help-csv = Send a CSV file to add numbers; its caption (or its Range column) names the category.
# $window is a duration such as "1 h 0 min".
user-help-limit = You can take { $max ->
    [one] { $max } number
   *[other] { $max } numbers
} per { $window }; one at a time.

## /countries
user-page-prev = « Prev
user-page-next = Next »
user-none-available = No numbers are available right now. An admin has to upload some first.
user-pick-category = Pick a category:
user-category-gone = That category is gone. Send /countries again.
user-category-empty = No { $category } numbers are left right now. Pick another category: /countries

## A number and its buttons
user-button-done = Done
user-button-change = Change number
user-button-cancel = Cancel
# $until is a time such as "14:05 UTC"; $waiting is user-number-relayed or user-number-waiting.
user-number =
    Your number: <code>{ $number }</code>
    { $display }
    Country: { $country } · Category: { $category }
    From file: { $file }
    It is yours until { $until }. { $waiting }
user-number-relayed = Use it now: messages to it are sent here. Press Done when you have finished, Cancel to give it back unused.
user-number-waiting = Press Done when you have finished, Cancel to give it back unused; Change number gives you another.
user-limited = You have taken { $max ->
    [one] { $max } number
   *[other] { $max } numbers
} in the last { $window }. You can take another in { $wait }.
user-already-holding = You already hold <code>{ $number }</code>. One number at a time: press Done when you have finished, or Change number for another.
user-changed = Here is another number.
user-change-none = No other { $category } number is free now; you keep this one.
user-holding-none = You hold no number now.
user-holding-none-countries = You hold no number now: use /countries.
user-released = Released <code>{ $number }</code>. Send /countries when you need another number.
user-released-toast = Number released.
user-done = Done with <code>{ $number }</code>. Send /countries when you need another number.
user-done-toast = Done with { $number }.
user-store-failed = Something went wrong on numbot's side; nothing was changed. The admins can see the details in the log.

## /stats
user-stats-available = <b>Available now</b>
user-stats-empty = No numbers uploaded yet.
user-stats-more = … and { $n ->
    [one] { $n } more category
   *[other] { $n } more categories
}: /countries lists them all
user-stats-you =
    <b>You</b>
    Numbers taken: { $taken }
user-stats-holding = Holding <code>{ $number }</code> ({ $category }) until { $until }
user-stats-holding-none = Holding no number now

## /history
# $since is a time such as "2026-12-01 14:05 UTC".
user-history-now =
    <b>Now</b>
    <code>{ $number }</code> · { $category } · since { $since }
user-history-none = No number of yours has ended a use yet.
user-history-last = { $n ->
    [one] <b>Your last number</b>
   *[other] <b>Your last { $n } numbers</b>
}
user-codes-none = no code
user-codes = { $n ->
    [one] { $n } code
   *[other] { $n } codes
}
user-ended-completed = completed
user-ended-cancelled = cancelled
user-ended-changed = changed
user-ended-expired = expired

## Access
access-records-unavailable = numbot cannot read its user records right now. Try again in a minute.
access-banned = You are banned from this bot. Contact an admin if this is a mistake.
access-banned-reason = You are banned from this bot. Reason: { $reason }. Contact an admin if this is a mistake.
access-new-user = New user asks for access: { $name } (id <code>{ $id }</code>).
access-button-approve = Approve
access-button-reject = Reject and ban
access-waiting-approval = Your access request is waiting for an admin's approval. You will get a message here once it is approved.
access-join-channel = numbot is for members of { $channel }. Join it, then try again.
access-join-team-channel = numbot is for members of the team channel. Join it, then try again.
access-channel-check-failed = numbot cannot check the channel membership right now (is the bot an admin of the channel?). Try again later.
access-describe-admin = You are an admin: send a CSV file to add numbers, /help for the commands.
access-describe-pending = Access needs an admin's approval: your request has been sent. You will get a message here once it is approved.
access-describe-channel = Access is for members of the team channel: /countries checks your membership.
access-describe-open = You have access: use /countries to get a number.

## Answers of the handler tree
bot-too-fast = You are sending too fast. Wait { $wait } and try again.
bot-too-fast-toast = Too fast: wait { $wait }.
bot-admin-only-command = This command is for admins only. The attempt has been logged.
bot-unknown-command = Unknown command /{ $name }. /help lists what I can do.
bot-hint = Send /countries to get a number, or /help.
bot-admin-only-button = This button is for admins only.
bot-button-stale = This button is no longer valid.
