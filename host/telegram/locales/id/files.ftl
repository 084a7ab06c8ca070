# Teks untuk admin: unggahan CSV, /csvlist, /csvdelete, /csvstats, /plugins, /audit.

## Semua perintah admin
admin-store-failed = Penyimpanan gagal: { $error }

## Unggahan
upload-admins-only = Hanya admin yang bisa mengunggah nomor. Percobaan ini sudah dicatat.
upload-download-failed = Tidak bisa mengunduh { $name } dari Telegram ({ $error }). Kirim lagi.
upload-too-big = { $name } berukuran { $mb } MB; Telegram hanya mengizinkan bot mengunduh file hingga 20 MB. Pecah menjadi beberapa file CSV yang lebih kecil dan kirim satu per satu (atau gunakan `numbot import` di server).
upload-not-csv = { $name } bukan file CSV. numbot mengimpor file .csv (atau .txt) dengan satu nomor per baris. Di Excel atau Google Sheets, simpan atau unduh lembarnya sebagai CSV lalu kirim file itu.
upload-nothing-imported = Tidak ada yang diimpor dari { $name }: { $error }
upload-ask-category = { $n ->
   *[other] { $file }: { $shown } nomor ditemukan. Masukkan ke kategori mana? Balas dengan namanya (misalnya <i>UAE Mobile</i>) atau pilih salah satu.
}
upload-replaces = (Ini menggantikan { $file }, yang sedang menunggu kategorinya.)
upload-many-categories = Kolom Range-nya menyebut { $named } kategori; satu file hanya masuk ke satu kategori, jadi pecah file itu jika kategorinya harus tetap terpisah.
upload-cancel-button = Batalkan unggahan
upload-not-kept = numbot tidak bisa menyimpan unggahan selama menunggu kategorinya; kirim lagi dengan kategori sebagai keterangan.
upload-fetch-failed = Tidak bisa mengambil { $name } dari Telegram ({ $error }); tidak ada yang diimpor. Jawab lagi, atau kirim ulang filenya.
upload-none-waiting = Tidak ada unggahan yang menunggu.
upload-lapsed = Pertanyaan itu sudah kedaluwarsa: kirim lagi filenya.
upload-out-of-date = Pertanyaan itu sudah usang: jawab yang terbaru.
upload-cancelled = { $n ->
   *[other] Unggahan { $name } dibatalkan; { $shown } nomor tidak diimpor.
}
upload-category-gone = Kategori itu sudah tidak ada: ketik sebuah nama.
upload-bad-category = { $error }. Ketik nama lain.

## Laporan unggahan
upload-report-imported = { $n ->
   *[other] <b>{ $shown } nomor diimpor ke { $category }</b>
}
upload-report-stored = Disimpan sebagai { $file }
upload-report-country = Negara: { $country }
upload-report-duplicates = Duplikat: { $in_file } di dalam file, { $in_pool } sudah ada di persediaan
upload-report-rejected = Ditolak: { $shown }
upload-report-line = baris { $line }: { $reason }
upload-report-more = … dan { $shown } lainnya

## /csvstats
files-none-yet-send = Belum ada file yang diunggah. Kirim file CSV untuk menambahkan nomor.
files-column-file = file
files-column-total = total
files-column-free = bebas
files-column-in-use = dipakai
files-column-used = pakai%
files-column-taken = diambil
files-usage-title = <b>Penggunaan per file</b>
files-usage-first = { $shown } file pertama dari { $total }; <code>numbot files</code> di server menampilkan semuanya.
files-chart-caption = Nomor per file menurut status ({ $n } file).
files-usage-caption = Nomor yang diambil dan kode yang diterima per hari, { $days } hari terakhir (UTC). Kode dihitung setelah pemakaiannya selesai.

## /csvlist
files-none-yet = Belum ada file yang diunggah.
files-list-title = <b>{ $n } file</b>
files-list-entry = { $n ->
   *[other] { $country } · { $shown } nomor ({ $free } bebas) · diunggah { $date } oleh { $admin }
}
files-list-more = … dan { $n } lainnya: <code>numbot files</code> di server menampilkan semuanya.
files-list-deleted = { $n } file yang dihapus tetap tersimpan di riwayat.

## /csvdelete
files-none-to-delete = Tidak ada file untuk dihapus.
files-delete-button = { $n ->
   *[other] { $name } ({ $shown } nomor)
}
files-delete-question = File mana yang akan dihapus?
files-delete-question-first = File mana yang akan dihapus? ({ $shown } pertama dari { $total }; `numbot delete` di server bisa menghapus file mana pun.)
files-gone = File itu sudah tidak ada.
files-delete-confirm = Hapus { $name }? { $free_n ->
   *[other] { $free } nomor bebasnya langsung keluar dari persediaan
}; { $in_use_n ->
   *[other] { $in_use } yang sedang dipakai keluar saat dilepas
}. Riwayatnya tetap disimpan.
files-delete-yes = Ya, hapus
files-delete-no = Tidak
files-deleted = { $n ->
   *[other] { $name } dihapus: { $shown } nomor keluar dari persediaan.
}
files-deleted-toast = Dihapus.
files-nothing-deleted = Tidak ada yang dihapus.

## /plugins dan /audit
info-plugins-title = <b>Plugin</b>
info-plugins-all-countries = semua negara
info-plugins-refused = ditolak { $path }: { $error }
info-audit-empty = Jejak audit kosong.
info-audit-title = <b>Peristiwa audit terbaru</b>
