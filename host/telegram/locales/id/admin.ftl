# Teks admin: /broadcast, /export, /approve, /ban, /unban, dan /token.

## /broadcast

broadcast-usage = Cara pakai: /broadcast TEKS. Setiap pengguna aktif menerima TEKS setelah Anda konfirmasi.
broadcast-busy = Siaran sedang dikirim: hentikan, atau tunggu sampai selesai.
broadcast-records-failed = Data pengguna gagal dibaca: { $error }
broadcast-preview = 📣 Untuk { $n } pengguna aktif:
broadcast-send-button = Kirim ke { $n }
broadcast-cancel-button = Batal
broadcast-stop-button = Hentikan
broadcast-not-current = Pratinjau ini sudah tidak berlaku.
broadcast-sending = Mengirim.
broadcast-cancelled = Siaran dibatalkan: tidak ada yang terkirim.
broadcast-over = Siaran ini sudah selesai.
broadcast-stopping = Menghentikan.
broadcast-counts = { $delivered } terkirim, { $blocked } memblokir bot, { $failed } gagal
broadcast-progress = 📣 Siaran: { $sent } dari { $total } terkirim ({ $counts }).
broadcast-stopped = 📣 Siaran dihentikan setelah { $sent } dari { $total }: { $counts }.
broadcast-finished = 📣 Siaran selesai: { $sent } dari { $total }: { $counts }.

## /export

export-usage = Cara pakai: /export [dari] [sampai], tanggal dalam format YYYY-MM-DD (UTC, keduanya termasuk). Tanpa tanggal: semua penggunaan.
export-bad-date = { $date } bukan tanggal: tulis sebagai YYYY-MM-DD (UTC).
export-no-tempdir = Ekspor tidak bisa ditulis: tidak ada direktori sementara.
export-failed = Ekspor gagal: { $error }
export-none = Tidak ada penggunaan yang berakhir pada periode itu.
export-too-big = File { $format } berukuran { $mb } MB, melebihi batas 50 MB Telegram: ekspor periode yang lebih pendek, atau jalankan `numbot export FILE` di server.
export-caption = { $n } penggunaan ({ $format })

## /approve, /ban, /unban, dan tombol Setujui / Tolak

people-ban-usage = Cara pakai: /ban <id pengguna> [alasan]
people-unban-usage = Cara pakai: /unban <id pengguna>
people-admin-unbannable = Admin tidak bisa diblokir; hapus dulu dari konfigurasi.
people-records-unreadable = Data pengguna tidak bisa dibaca sekarang.
people-records-unwritable = Data pengguna tidak bisa disimpan sekarang; tidak ada yang berubah.
people-nobody-waiting = Tidak ada yang menunggu persetujuan.
people-waiting = { $n } pengguna menunggu persetujuan:
people-approve-button = Setujui { $name } ({ $id })
people-reject-button = Tolak
people-approved-toast = Pengguna { $id } disetujui.
people-rejected-toast = Pengguna { $id } ditolak dan diblokir.
people-is-banned = Pengguna { $id } diblokir: /unban { $id } mencabut blokirnya.
people-has-access = Pengguna { $id } sudah punya akses.
people-not-asked = Pengguna { $id } belum meminta akses.
people-banned = { $name } ({ $id }) diblokir.
people-banned-released = { $name } ({ $id }) diblokir; nomornya dikembalikan ke pool.
people-approved = { $name } ({ $id }) sekarang bisa mengambil nomor.
# Untuk pengguna yang bersangkutan, dalam bahasanya.
people-you-are-banned = Anda telah diblokir dari bot ini oleh admin.
people-you-have-access = Admin memberi Anda akses: gunakan /countries untuk mendapatkan nomor.

## /token (HTML: pertahankan tagnya)

token-usage =
    Cara pakai:
    /token create NAMA [--max-uses N] [--numbers-per-window N] [--categories A,B]
    /token list
    /token revoke NAMA
token-needs-value = { $flag } perlu nilai
token-takes-number = { $flag } menerima angka dari 1 sampai { $max }
token-unknown-option = opsi tidak dikenal { $option }
token-made =
    Token <b>{ $name }</b> dibuat. Rahasianya, hanya ditampilkan kali ini (numbot hanya menyimpan hash-nya):
    <code>{ $secret }</code>
    Klien mengirimnya sebagai <code>Authorization: Bearer …</code>.
    Pesan ini terhapus sendiri dalam 10 menit, atau langsung saat Anda menekan tombol: salin rahasianya sekarang.
token-secret-delete-button = Sudah disalin: hapus pesan ini
token-secret-deleted = Dihapus: rahasia tidak ada lagi di obrolan ini.
token-exists = Token bernama <b>{ $name }</b> sudah ada.
token-store-failed = Token tidak bisa disimpan sekarang; tidak ada yang berubah.
token-unreadable = Token tidak bisa dibaca sekarang.
token-none = Belum ada token API: /token create NAMA
token-list-title = <b>Token API</b>
token-list-line = { $name } · { $max } sekaligus · { $categories } · { $state }
token-live = aktif
token-revoked-at = dicabut { $at }
token-all-categories = semua kategori
token-revoked = Token <b>{ $name }</b> dicabut.
token-no-live = Tidak ada token aktif bernama <b>{ $name }</b>.
token-revoke-failed = Token tidak bisa dicabut sekarang; tidak ada yang berubah.
