# Teks yang dipakai semua bagian bot.
something-went-wrong = Terjadi kesalahan; coba lagi.
wait-seconds = { $s } dtk
wait-minutes = { $min } mnt
wait-minutes-seconds = { $min } mnt { $s } dtk
wait-hours-minutes = { $h } j { $min } mnt
