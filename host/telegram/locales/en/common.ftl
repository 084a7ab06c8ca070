# Texts every part of the bot shares.
something-went-wrong = Something went wrong; try again.
wait-seconds = { $s } s
wait-minutes = { $min } min
wait-minutes-seconds = { $min } min { $s } s
wait-hours-minutes = { $h } h { $min } min
