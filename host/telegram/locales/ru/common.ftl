# Тексты, общие для всех частей бота.
something-went-wrong = Что-то пошло не так; попробуйте ещё раз.
wait-seconds = { $s } с
wait-minutes = { $min } мин
wait-minutes-seconds = { $min } мин { $s } с
wait-hours-minutes = { $h } ч { $min } мин
