# Yang dilihat setiap pengguna: /start, /help, /countries, nomor dan tombolnya, /stats, /history; akses dan penolakan (access-), serta jawaban pohon handler (bot-).

## /start dan /help
user-welcome = Selamat datang di numbot. Bot ini membagikan nomor telepon dari pool tim Anda untuk uji verifikasi SMS.
user-help-intro = numbot memberi Anda nomor telepon dari pool tim; gunakan untuk verifikasi, lalu tekan Selesai (Batal mengembalikannya tanpa dipakai; Ganti nomor memberi nomor lain).
user-help-admins = Admin:
user-help-csv = Kirim file CSV untuk menambah nomor; keterangannya (atau kolom Range-nya) menentukan kategori.
user-help-limit = Anda bisa mengambil { $max } nomor per { $window }; satu per satu.

## /countries
user-page-prev = « Sebelumnya
user-page-next = Berikutnya »
user-none-available = Belum ada nomor yang tersedia. Admin harus mengunggahnya terlebih dahulu.
user-pick-category = Pilih kategori:
user-category-gone = Kategori itu sudah tidak ada. Kirim /countries lagi.
user-category-empty = Nomor { $category } sedang habis. Pilih kategori lain: /countries

## Nomor dan tombolnya
user-button-done = Selesai
user-button-change = Ganti nomor
user-button-cancel = Batal
user-number =
    Nomor Anda: <code>{ $number }</code>
    { $display }
    Negara: { $country } · Kategori: { $category }
    Dari file: { $file }
    Nomor ini milik Anda sampai { $until }. { $waiting }
user-number-relayed = Gunakan sekarang: pesan ke nomor ini dikirim ke sini. Tekan Selesai jika sudah selesai, atau Batal untuk mengembalikannya tanpa dipakai.
user-number-waiting = Tekan Selesai jika sudah selesai, atau Batal untuk mengembalikannya tanpa dipakai; Ganti nomor memberi Anda nomor lain.
user-limited = Anda sudah mengambil { $max } nomor dalam { $window } terakhir. Anda bisa mengambil lagi dalam { $wait }.
user-already-holding = Anda sudah memegang <code>{ $number }</code>. Satu nomor dalam satu waktu: tekan Selesai jika sudah selesai, atau Ganti nomor untuk nomor lain.
user-changed = Ini nomor lain.
user-change-none = Tidak ada nomor { $category } lain yang kosong sekarang; nomor ini tetap milik Anda.
user-holding-none = Anda tidak memegang nomor saat ini.
user-holding-none-countries = Anda tidak memegang nomor saat ini: gunakan /countries.
user-released = <code>{ $number }</code> dilepas. Kirim /countries saat Anda butuh nomor lain.
user-released-toast = Nomor dilepas.
user-done = Selesai dengan <code>{ $number }</code>. Kirim /countries saat Anda butuh nomor lain.
user-done-toast = Selesai dengan { $number }.
user-store-failed = Terjadi kesalahan di sisi numbot; tidak ada yang diubah. Admin dapat melihat detailnya di log.

## /stats
user-stats-available = <b>Tersedia sekarang</b>
user-stats-empty = Belum ada nomor yang diunggah.
user-stats-more = … dan { $n } kategori lagi: /countries menampilkan semuanya
user-stats-you =
    <b>Anda</b>
    Nomor diambil: { $taken }
user-stats-holding = Memegang <code>{ $number }</code> ({ $category }) sampai { $until }
user-stats-holding-none = Tidak memegang nomor saat ini

## /history
user-history-now =
    <b>Sekarang</b>
    <code>{ $number }</code> · { $category } · sejak { $since }
user-history-none = Belum ada pemakaian nomor Anda yang berakhir.
user-history-last = <b>Nomor terakhir Anda ({ $n })</b>
user-codes-none = tanpa kode
user-codes = { $n } kode
user-ended-completed = selesai
user-ended-cancelled = dibatalkan
user-ended-changed = diganti
user-ended-expired = kedaluwarsa

## Akses
access-records-unavailable = numbot tidak dapat membaca data pengguna saat ini. Coba lagi dalam satu menit.
access-banned = Anda diblokir dari bot ini. Hubungi admin jika ini sebuah kesalahan.
access-banned-reason = Anda diblokir dari bot ini. Alasan: { $reason }. Hubungi admin jika ini sebuah kesalahan.
access-new-user = Pengguna baru meminta akses: { $name } (id <code>{ $id }</code>).
access-button-approve = Setujui
access-button-reject = Tolak dan blokir
access-waiting-approval = Permintaan akses Anda sedang menunggu persetujuan admin. Anda akan menerima pesan di sini setelah disetujui.
access-join-channel = numbot hanya untuk anggota { $channel }. Bergabunglah, lalu coba lagi.
access-join-team-channel = numbot hanya untuk anggota kanal tim. Bergabunglah, lalu coba lagi.
access-channel-check-failed = numbot tidak dapat memeriksa keanggotaan kanal saat ini (apakah bot sudah menjadi admin kanal?). Coba lagi nanti.
access-describe-admin = Anda admin: kirim file CSV untuk menambah nomor, /help untuk daftar perintah.
access-describe-pending = Akses memerlukan persetujuan admin: permintaan Anda sudah dikirim. Anda akan menerima pesan di sini setelah disetujui.
access-describe-channel = Akses hanya untuk anggota kanal tim: /countries memeriksa keanggotaan Anda.
access-describe-open = Anda punya akses: gunakan /countries untuk mendapatkan nomor.

## Jawaban pohon handler
bot-too-fast = Anda mengirim terlalu cepat. Tunggu { $wait } lalu coba lagi.
bot-too-fast-toast = Terlalu cepat: tunggu { $wait }.
bot-admin-only-command = Perintah ini hanya untuk admin. Percobaan ini sudah dicatat.
bot-unknown-command = Perintah tidak dikenal /{ $name }. /help menampilkan apa yang bisa saya lakukan.
bot-hint = Kirim /countries untuk mendapatkan nomor, atau /help.
bot-admin-only-button = Tombol ini hanya untuk admin.
bot-button-stale = Tombol ini sudah tidak berlaku.
