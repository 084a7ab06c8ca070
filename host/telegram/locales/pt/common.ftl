# Textos que todas as partes do bot compartilham.
something-went-wrong = Algo deu errado; tente de novo.
wait-seconds = { $s } s
wait-minutes = { $min } min
wait-minutes-seconds = { $min } min { $s } s
wait-hours-minutes = { $h } h { $min } min
