# অ্যাডমিনদের টেক্সট: CSV আপলোড, /csvlist, /csvdelete, /csvstats, /plugins, /audit.

## যেকোনো অ্যাডমিন কমান্ড
admin-store-failed = স্টোর ব্যর্থ হয়েছে: { $error }

## আপলোড
upload-admins-only = শুধু অ্যাডমিনরা নম্বর আপলোড করতে পারেন। এই চেষ্টাটি লগ করা হয়েছে।
upload-download-failed = Telegram থেকে { $name } ডাউনলোড করা যায়নি ({ $error })। আবার পাঠান।
upload-too-big = { $name } ফাইলটির আকার { $mb } MB; Telegram বটকে সর্বোচ্চ 20 MB পর্যন্ত ফাইল ডাউনলোড করতে দেয়। এটি ছোট ছোট CSV ফাইলে ভাগ করে একটি একটি করে পাঠান (অথবা সার্ভারে `numbot import` ব্যবহার করুন)।
upload-not-csv = { $name } কোনো CSV ফাইল নয়। numbot এমন .csv (বা .txt) ফাইল ইমপোর্ট করে যার প্রতি সারিতে একটি নম্বর থাকে। Excel বা Google Sheets-এ শিটটি CSV হিসেবে সেভ বা ডাউনলোড করে সেটি পাঠান।
upload-nothing-imported = { $name } থেকে কিছুই ইমপোর্ট হয়নি: { $error }
upload-ask-category = { $n ->
    [one] { $file }: { $shown }টি নম্বর পাওয়া গেছে। এটি কোন ক্যাটাগরিতে যাবে?
   *[other] { $file }: { $shown }টি নম্বর পাওয়া গেছে। এগুলো কোন ক্যাটাগরিতে যাবে?
} ক্যাটাগরির নাম লিখে উত্তর দিন (যেমন <i>UAE Mobile</i>) অথবা একটি বেছে নিন।
upload-replaces = (এটি { $file }-এর জায়গা নিচ্ছে, যেটি ক্যাটাগরির অপেক্ষায় ছিল।)
upload-many-categories = এর Range কলামে { $named }টি ক্যাটাগরি আছে; একটি ফাইল একটিই ক্যাটাগরিতে যায়, তাই এগুলো আলাদা রাখতে চাইলে ফাইলটি ভাগ করুন।
upload-cancel-button = আপলোড বাতিল করুন
upload-not-kept = ক্যাটাগরির অপেক্ষায় থাকার সময় numbot আপলোডটি ধরে রাখতে পারেনি; ক্যাপশনে ক্যাটাগরি লিখে আবার পাঠান।
upload-fetch-failed = Telegram থেকে { $name } আনা যায়নি ({ $error }); কিছুই ইমপোর্ট হয়নি। আবার উত্তর দিন, অথবা ফাইলটি আবার পাঠান।
upload-none-waiting = কোনো আপলোড অপেক্ষায় নেই।
upload-lapsed = প্রশ্নটির মেয়াদ শেষ: ফাইলটি আবার পাঠান।
upload-out-of-date = প্রশ্নটি পুরোনো হয়ে গেছে: সর্বশেষ প্রশ্নটির উত্তর দিন।
upload-cancelled = { $n ->
   *[other] { $name } আপলোড বাতিল হয়েছে; { $shown }টি নম্বর ইমপোর্ট হয়নি।
}
upload-category-gone = সেই ক্যাটাগরি আর নেই: একটি নাম লিখুন।
upload-bad-category = { $error }। অন্য একটি নাম লিখুন।

## আপলোডের রিপোর্ট
upload-report-imported = { $n ->
   *[other] <b>{ $category }-এ { $shown }টি নম্বর ইমপোর্ট হয়েছে</b>
}
upload-report-stored = { $file } নামে সংরক্ষিত
upload-report-country = দেশ: { $country }
upload-report-duplicates = ডুপ্লিকেট: ফাইলের ভেতরে { $in_file }, পুলে আগে থেকেই { $in_pool }
upload-report-rejected = বাতিল: { $shown }
upload-report-line = লাইন { $line }: { $reason }
upload-report-more = … এবং আরও { $shown }

## /csvstats
files-none-yet-send = এখনও কোনো ফাইল আপলোড হয়নি। নম্বর যোগ করতে একটি CSV ফাইল পাঠান।
files-column-file = ফাইল
files-column-total = মোট
files-column-free = খালি
files-column-in-use = ব্যবহারে
files-column-used = ব্যবহার%
files-column-taken = নেওয়া
files-usage-title = <b>ফাইলভিত্তিক ব্যবহার</b>
files-usage-first = { $total }টির মধ্যে প্রথম { $shown }টি ফাইল; সার্ভারে <code>numbot files</code> সবগুলো দেখায়।
files-chart-caption = অবস্থা অনুযায়ী প্রতিটি ফাইলের নম্বর ({ $n }টি ফাইল)।
files-usage-caption = প্রতিদিন নেওয়া নম্বর ও পাওয়া কোড, গত { $days } দিন (UTC)। ব্যবহার শেষ হলে কোড গোনা হয়।

## /csvlist
files-none-yet = এখনও কোনো ফাইল আপলোড হয়নি।
files-list-title = <b>{ $n }টি ফাইল</b>
files-list-entry = { $n ->
   *[other] { $country } · { $shown }টি নম্বর ({ $free }টি খালি) · { $date } তারিখে { $admin } আপলোড করেছেন
}
files-list-more = … এবং আরও { $n }টি: সার্ভারে <code>numbot files</code> সবগুলো দেখায়।
files-list-deleted = মুছে ফেলা { $n }টি ফাইল ইতিহাসে রাখা আছে।

## /csvdelete
files-none-to-delete = মোছার মতো কোনো ফাইল নেই।
files-delete-button = { $n ->
   *[other] { $name } ({ $shown }টি নম্বর)
}
files-delete-question = কোন ফাইলটি মুছবেন?
files-delete-question-first = কোন ফাইলটি মুছবেন? ({ $total }টির মধ্যে প্রথম { $shown }টি; সার্ভারে `numbot delete` যেকোনোটি মুছতে পারে।)
files-gone = ফাইলটি আগেই মুছে ফেলা হয়েছে।
files-delete-confirm = { $name } মুছবেন? { $free_n ->
   *[other] এর { $free }টি খালি নম্বর এখনই পুল থেকে সরে যাবে
}; { $in_use_n ->
   *[other] ব্যবহারে থাকা { $in_use }টি নম্বর ছাড়া পেলে সরে যাবে
}। ইতিহাস থেকে যাবে।
files-delete-yes = হ্যাঁ, মুছুন
files-delete-no = না
files-deleted = { $n ->
   *[other] { $name } মুছে ফেলা হয়েছে: { $shown }টি নম্বর পুল থেকে সরে গেছে।
}
files-deleted-toast = মুছে ফেলা হয়েছে।
files-nothing-deleted = কিছুই মোছা হয়নি।

## /plugins এবং /audit
info-plugins-title = <b>প্লাগইন</b>
info-plugins-all-countries = সব দেশ
info-plugins-refused = প্রত্যাখ্যাত { $path }: { $error }
info-audit-empty = অডিট লগ খালি।
info-audit-title = <b>সাম্প্রতিক অডিট ইভেন্ট</b>
