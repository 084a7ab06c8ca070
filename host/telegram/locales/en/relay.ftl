# The OTP relay: codes and messages sent to a number's holder, provider alerts to admins, and the log chat's posts.
relay-done-button = Done
relay-unknown-sender = unknown
relay-unexpected-sender = ⚠️ From an unexpected sender ({ $sender }): this category's codes come from elsewhere, so it may be forged. The number stays yours.
relay-code = Code for <code>{ $number }</code>: <code>{ $code }</code>
relay-message-without-code = A message reached <code>{ $number }</code> (no code found in it):
relay-more-messages = More messages to this number come here too. Press Done when you have finished.
relay-lease-ended = No code reached <code>{ $number }</code> before its time ran out; the number went back to the pool. Send /countries for another.
relay-provider-down = The SMS provider ({ $provider }) keeps failing: { $error }. Codes are not relayed until it answers again; numbot keeps retrying and will say when it recovers.
relay-provider-recovered = The SMS provider ({ $provider }) answers again after { $failures } { $failures ->
        [one] failed poll
       *[other] failed polls
    }; codes are relayed again.
log-unexpected-sender = ⚠️ unexpected sender:
log-code = code <code>{ $code }</code>
log-no-code = a message without a code
log-holder-token = API token { $token }
log-holder-user = user { $user }
