# Textos que comparten todas las partes del bot.
something-went-wrong = Algo salió mal; inténtalo de nuevo.
wait-seconds = { $s } s
wait-minutes = { $min } min
wait-minutes-seconds = { $min } min { $s } s
wait-hours-minutes = { $h } h { $min } min
