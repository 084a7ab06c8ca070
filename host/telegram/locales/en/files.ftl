# Admin texts: CSV uploads, /csvlist, /csvdelete, /csvstats, /plugins, /audit.

## Any admin command
admin-store-failed = The store failed: { $error }

## Uploads
upload-admins-only = Only admins can upload numbers. The attempt has been logged.
upload-download-failed = Could not download { $name } from Telegram ({ $error }). Send it again.
upload-too-big = { $name } is { $mb } MB; Telegram lets bots download files up to 20 MB. Split it into smaller CSV files and send them one by one (or use `numbot import` on the server).
upload-not-csv = { $name } is not a CSV file. numbot imports .csv (or .txt) files with one number per row. In Excel or Google Sheets, save or download the sheet as CSV and send that.
upload-nothing-imported = Nothing imported from { $name }: { $error }
upload-ask-category = { $n ->
    [one] { $file }: { $shown } number found. Which category should it go to? Reply with its name (for example <i>UAE Mobile</i>) or pick one.
   *[other] { $file }: { $shown } numbers found. Which category should they go to? Reply with its name (for example <i>UAE Mobile</i>) or pick one.
}
upload-replaces = (This replaces { $file }, which was waiting for its category.)
upload-many-categories = Its Range column names { $named } categories; a file goes into one category, so split it if they should stay apart.
upload-cancel-button = Cancel upload
upload-not-kept = numbot could not keep the upload while waiting for its category; send it again with the category as its caption.
upload-fetch-failed = Could not fetch { $name } from Telegram ({ $error }); nothing imported. Answer again, or send the file again.
upload-none-waiting = No upload is waiting.
upload-lapsed = That question lapsed: send the file again.
upload-out-of-date = That question is out of date: answer the latest one.
upload-cancelled = { $n ->
    [one] Upload of { $name } cancelled; { $shown } number not imported.
   *[other] Upload of { $name } cancelled; { $shown } numbers not imported.
}
upload-category-gone = That category is gone: type a name.
upload-bad-category = { $error }. Type another name.

## The upload report
upload-report-imported = { $n ->
    [one] <b>Imported { $shown } number into { $category }</b>
   *[other] <b>Imported { $shown } numbers into { $category }</b>
}
upload-report-stored = Stored as { $file }
upload-report-country = Country: { $country }
upload-report-duplicates = Duplicates: { $in_file } within the file, { $in_pool } already in the pool
upload-report-rejected = Rejected: { $shown }
upload-report-line = line { $line }: { $reason }
upload-report-more = … and { $shown } more

## /csvstats
files-none-yet-send = No files uploaded yet. Send a CSV file to add numbers.
files-column-file = file
files-column-total = total
files-column-free = free
files-column-in-use = in use
files-column-used = used%
files-column-taken = taken
files-usage-title = <b>Usage per file</b>
files-usage-first = The first { $shown } of { $total } files; <code>numbot files</code> on the server lists all.
files-chart-caption = { $n ->
    [one] Numbers per file by state ({ $n } file).
   *[other] Numbers per file by state ({ $n } files).
}
files-usage-caption = Numbers taken and codes received per day, last { $days } days (UTC). Codes count once their use has ended.

## /csvlist
files-none-yet = No files uploaded yet.
files-list-title = { $n ->
    [one] <b>{ $n } file</b>
   *[other] <b>{ $n } files</b>
}
files-list-entry = { $n ->
    [one] { $country } · { $shown } number ({ $free } free) · uploaded { $date } by { $admin }
   *[other] { $country } · { $shown } numbers ({ $free } free) · uploaded { $date } by { $admin }
}
files-list-more = … and { $n } more: <code>numbot files</code> on the server lists all.
files-list-deleted = { $n ->
    [one] { $n } deleted file kept in the history.
   *[other] { $n } deleted files kept in the history.
}

## /csvdelete
files-none-to-delete = No files to delete.
files-delete-button = { $n ->
    [one] { $name } ({ $shown } number)
   *[other] { $name } ({ $shown } numbers)
}
files-delete-question = Which file should be deleted?
files-delete-question-first = Which file should be deleted? (The first { $shown } of { $total }; `numbot delete` on the server takes any.)
files-gone = That file is already gone.
files-delete-confirm = Delete { $name }? { $free_n ->
    [one] Its { $free } free number leaves
   *[other] Its { $free } free numbers leave
} the pool now; { $in_use_n ->
    [one] the { $in_use } in use leaves when it is released
   *[other] the { $in_use } in use leave when they are released
}. The history stays.
files-delete-yes = Yes, delete
files-delete-no = No
files-deleted = { $n ->
    [one] Deleted { $name }: { $shown } number left the pool.
   *[other] Deleted { $name }: { $shown } numbers left the pool.
}
files-deleted-toast = Deleted.
files-nothing-deleted = Nothing deleted.

## /plugins and /audit
info-plugins-title = <b>Plugins</b>
info-plugins-all-countries = all countries
info-plugins-refused = refused { $path }: { $error }
info-audit-empty = The audit trail is empty.
info-audit-title = <b>Recent audit events</b>
