# Penerusan kode: kode dan pesan untuk pemegang nomor, peringatan penyedia untuk admin, dan postingan chat log.
relay-done-button = Selesai
relay-unknown-sender = tidak dikenal
relay-unexpected-sender = ⚠️ Dari pengirim yang tidak terduga ({ $sender }): kode kategori ini biasanya datang dari tempat lain, jadi pesan ini mungkin palsu. Nomornya tetap milik Anda.
relay-code = Kode untuk <code>{ $number }</code>: <code>{ $code }</code>
relay-message-without-code = Ada pesan masuk ke <code>{ $number }</code> (tidak ada kode di dalamnya):
relay-more-messages = Pesan lain ke nomor ini juga akan masuk ke sini. Tekan Selesai jika sudah selesai.
relay-lease-ended = Tidak ada kode yang masuk ke <code>{ $number }</code> sebelum waktunya habis; nomor dikembalikan ke pool. Kirim /countries untuk nomor lain.
relay-provider-down = Penyedia SMS ({ $provider }) terus gagal: { $error }. Kode tidak diteruskan sampai penyedia merespons lagi; numbot terus mencoba dan akan memberi tahu saat pulih.
relay-provider-recovered = Penyedia SMS ({ $provider }) merespons lagi setelah { $failures } kali polling gagal; kode diteruskan lagi.
log-unexpected-sender = ⚠️ pengirim tak terduga:
log-code = kode <code>{ $code }</code>
log-no-code = pesan tanpa kode
log-holder-token = token API { $token }
log-holder-user = pengguna { $user }
