# অ্যাডমিনের লেখা: /broadcast, /export, /approve, /ban, /unban ও /token.

## /broadcast

broadcast-usage = ব্যবহার: /broadcast TEXT. আপনি নিশ্চিত করলে প্রত্যেক সক্রিয় ব্যবহারকারী TEXT পাবেন।
broadcast-busy = একটি ব্রডকাস্ট পাঠানো হচ্ছে: সেটি থামান, অথবা শেষ হওয়া পর্যন্ত অপেক্ষা করুন।
broadcast-records-failed = ব্যবহারকারীর রেকর্ডে সমস্যা: { $error }
broadcast-preview = 📣 { $n } জন সক্রিয় ব্যবহারকারীকে:
broadcast-send-button = { $n } জনকে পাঠান
broadcast-cancel-button = বাতিল
broadcast-stop-button = থামান
broadcast-not-current = এই প্রিভিউ আর চালু নেই।
broadcast-sending = পাঠানো হচ্ছে।
broadcast-cancelled = ব্রডকাস্ট বাতিল: কিছুই পাঠানো হয়নি।
broadcast-over = এই ব্রডকাস্ট শেষ হয়ে গেছে।
broadcast-stopping = থামানো হচ্ছে।
broadcast-counts = পৌঁছেছে { $delivered }, বট ব্লক করেছে { $blocked }, ব্যর্থ { $failed }
broadcast-progress = 📣 ব্রডকাস্ট: { $total } এর মধ্যে { $sent } পাঠানো হয়েছে ({ $counts })।
broadcast-stopped = 📣 ব্রডকাস্ট { $total } এর মধ্যে { $sent } এর পরে থামানো হয়েছে: { $counts }।
broadcast-finished = 📣 ব্রডকাস্ট শেষ: { $total } এর মধ্যে { $sent }: { $counts }।

## /export

export-usage = ব্যবহার: /export [থেকে] [পর্যন্ত], তারিখ YYYY-MM-DD আকারে (UTC, দুই দিনই ধরা হবে)। তারিখ ছাড়া: সব ব্যবহার।
export-bad-date = { $date } কোনো তারিখ নয়: YYYY-MM-DD আকারে লিখুন (UTC)।
export-no-tempdir = এক্সপোর্ট লেখা যায়নি: কোনো অস্থায়ী ডিরেক্টরি নেই।
export-failed = এক্সপোর্ট ব্যর্থ: { $error }
export-none = ওই সময়ে কোনো ব্যবহার শেষ হয়নি।
export-too-big = { $format } ফাইলটি { $mb } MB, Telegram-এর 50 MB সীমার বেশি: আরও ছোট সময়ের এক্সপোর্ট করুন, অথবা সার্ভারে `numbot export FILE` চালান।
export-caption = { $n }টি ব্যবহার ({ $format })

## /approve, /ban, /unban এবং অনুমোদন / প্রত্যাখ্যান বোতাম

people-ban-usage = ব্যবহার: /ban <user id> [কারণ]
people-unban-usage = ব্যবহার: /unban <user id>
people-admin-unbannable = অ্যাডমিনদের ব্যান করা যায় না; আগে কনফিগারেশন থেকে তাঁদের সরান।
people-records-unreadable = এখন ব্যবহারকারীর রেকর্ড পড়া যাচ্ছে না।
people-records-unwritable = এখন ব্যবহারকারীর রেকর্ড লেখা যাচ্ছে না; কিছুই বদলায়নি।
people-nobody-waiting = কেউ অনুমোদনের অপেক্ষায় নেই।
people-waiting = { $n } জন ব্যবহারকারী অনুমোদনের অপেক্ষায়:
people-approve-button = { $name } ({ $id }) অনুমোদন করুন
people-reject-button = প্রত্যাখ্যান
people-approved-toast = ব্যবহারকারী { $id } অনুমোদিত।
people-rejected-toast = ব্যবহারকারী { $id } প্রত্যাখ্যাত ও ব্যান করা হয়েছে।
people-is-banned = ব্যবহারকারী { $id } ব্যান করা আছেন: /unban { $id } দিলে ব্যান উঠবে।
people-has-access = ব্যবহারকারী { $id } এর আগে থেকেই অ্যাক্সেস আছে।
people-not-asked = ব্যবহারকারী { $id } অ্যাক্সেস চাননি।
people-banned = { $name } ({ $id }) ব্যান করা হয়েছে।
people-banned-released = { $name } ({ $id }) ব্যান করা হয়েছে; তাঁর নম্বর পুলে ফিরে গেছে।
people-approved = { $name } ({ $id }) এখন নম্বর নিতে পারবেন।
# সংশ্লিষ্ট ব্যবহারকারীকে, তাঁর ভাষায়।
people-you-are-banned = একজন অ্যাডমিন আপনাকে এই বট থেকে ব্যান করেছেন।
people-you-have-access = একজন অ্যাডমিন আপনাকে অ্যাক্সেস দিয়েছেন: নম্বর পেতে /countries ব্যবহার করুন।

## /token (HTML: ট্যাগগুলো যেমন আছে রাখুন)

token-usage =
    ব্যবহার:
    /token create NAME [--max-uses N] [--numbers-per-window N] [--categories A,B]
    /token list
    /token revoke NAME
token-needs-value = { $flag } এর একটি মান দরকার
token-takes-number = { $flag } এ 1 থেকে { $max } পর্যন্ত একটি সংখ্যা দিন
token-unknown-option = অজানা অপশন { $option }
token-made =
    টোকেন <b>{ $name }</b> তৈরি হয়েছে। এর সিক্রেট শুধু এইবার দেখানো হচ্ছে (numbot শুধু এর হ্যাশ রাখে):
    <code>{ $secret }</code>
    ক্লায়েন্টরা এটি <code>Authorization: Bearer …</code> হিসেবে পাঠায়।
    এই বার্তাটি ১০ মিনিটে নিজে থেকে মুছে যাবে, বা বোতাম চাপলেই: সিক্রেটটি এখনই কপি করুন।
token-secret-delete-button = কপি করেছি: এই বার্তা মুছুন
token-secret-deleted = মুছে ফেলা হয়েছে: সিক্রেটটি আর এই চ্যাটে নেই।
token-exists = <b>{ $name }</b> নামে একটি টোকেন আগে থেকেই আছে।
token-store-failed = এখন টোকেনটি সংরক্ষণ করা যায়নি; কিছুই বদলায়নি।
token-unreadable = এখন টোকেনগুলো পড়া যাচ্ছে না।
token-none = এখনও কোনো API টোকেন নেই: /token create NAME
token-list-title = <b>API টোকেন</b>
token-list-line = { $name } · একসাথে { $max } · { $categories } · { $state }
token-live = সক্রিয়
token-revoked-at = { $at } এ বাতিল
token-all-categories = সব বিভাগ
token-revoked = টোকেন <b>{ $name }</b> বাতিল করা হয়েছে।
token-no-live = <b>{ $name }</b> নামে কোনো সক্রিয় টোকেন নেই।
token-revoke-failed = এখন টোকেনটি বাতিল করা যায়নি; কিছুই বদলায়নি।
