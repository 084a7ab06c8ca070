# প্রত্যেক ব্যবহারকারী যা দেখেন: /start, /help, /countries, নম্বর ও তার বোতাম, /stats, /history; অ্যাক্সেস ও প্রত্যাখ্যান (access-), আর হ্যান্ডলার ট্রির উত্তর (bot-)।

## /start ও /help
user-welcome = numbot-এ স্বাগতম। এটি SMS যাচাই পরীক্ষার জন্য আপনার দলের পুল থেকে ফোন নম্বর দেয়।
user-help-intro = numbot আপনাকে দলের পুল থেকে একটি ফোন নম্বর দেয়; যাচাইয়ের কাজে সেটি ব্যবহার করুন, তারপর "সম্পন্ন" চাপুন ("বাতিল" নম্বরটি অব্যবহৃত অবস্থায় ফেরত দেয়; "নম্বর বদলান" আরেকটি দেয়)।
user-help-admins = অ্যাডমিনদের জন্য:
user-help-csv = নম্বর যোগ করতে একটি CSV ফাইল পাঠান; তার ক্যাপশন (বা তার Range কলাম) বিভাগ ঠিক করে।
user-help-limit = আপনি প্রতি { $window }-এ { $max }টি নম্বর নিতে পারবেন; একবারে একটি।

## /countries
user-page-prev = « আগের
user-page-next = পরের »
user-none-available = এখন কোনো নম্বর নেই। প্রথমে একজন অ্যাডমিনকে কিছু নম্বর আপলোড করতে হবে।
user-pick-category = একটি বিভাগ বেছে নিন:
user-category-gone = ওই বিভাগটি আর নেই। আবার /countries পাঠান।
user-category-empty = এখন { $category }-এর আর কোনো নম্বর নেই। অন্য একটি বিভাগ বেছে নিন: /countries

## নম্বর ও তার বোতাম
user-button-done = সম্পন্ন
user-button-change = নম্বর বদলান
user-button-cancel = বাতিল
user-number =
    আপনার নম্বর: <code>{ $number }</code>
    { $display }
    দেশ: { $country } · বিভাগ: { $category }
    ফাইল: { $file }
    { $until } পর্যন্ত এটি আপনার। { $waiting }
user-number-relayed = এখনই ব্যবহার করুন: এই নম্বরে আসা বার্তা এখানে পাঠানো হবে। কাজ শেষ হলে "সম্পন্ন" চাপুন, অব্যবহৃত অবস্থায় ফেরত দিতে "বাতিল"।
user-number-waiting = কাজ শেষ হলে "সম্পন্ন" চাপুন, অব্যবহৃত অবস্থায় ফেরত দিতে "বাতিল"; "নম্বর বদলান" আরেকটি নম্বর দেয়।
user-limited = গত { $window }-এ আপনি { $max }টি নম্বর নিয়েছেন। আরেকটি নিতে পারবেন { $wait } পরে।
user-already-holding = আপনার কাছে ইতিমধ্যে <code>{ $number }</code> আছে। একবারে একটি নম্বর: কাজ শেষ হলে "সম্পন্ন" চাপুন, বা আরেকটির জন্য "নম্বর বদলান"।
user-changed = এই নিন আরেকটি নম্বর।
user-change-none = এখন { $category }-এর আর কোনো নম্বর খালি নেই; এটিই আপনার কাছে থাকছে।
user-holding-none = এখন আপনার কাছে কোনো নম্বর নেই।
user-holding-none-countries = এখন আপনার কাছে কোনো নম্বর নেই: /countries ব্যবহার করুন।
user-released = <code>{ $number }</code> ছেড়ে দেওয়া হয়েছে। আরেকটি নম্বর লাগলে /countries পাঠান।
user-released-toast = নম্বর ছেড়ে দেওয়া হয়েছে।
user-done = <code>{ $number }</code>-এর কাজ সম্পন্ন। আরেকটি নম্বর লাগলে /countries পাঠান।
user-done-toast = { $number }-এর কাজ সম্পন্ন।
user-store-failed = numbot-এর দিকে কিছু একটা ভুল হয়েছে; কিছুই বদলায়নি। অ্যাডমিনরা লগে বিস্তারিত দেখতে পারেন।

## /stats
user-stats-available = <b>এখন পাওয়া যাচ্ছে</b>
user-stats-empty = এখনো কোনো নম্বর আপলোড হয়নি।
user-stats-more = … আরও { $n }টি বিভাগ: /countries সবগুলো দেখায়
user-stats-you =
    <b>আপনি</b>
    নেওয়া নম্বর: { $taken }
user-stats-holding = আপনার কাছে <code>{ $number }</code> ({ $category }) { $until } পর্যন্ত
user-stats-holding-none = এখন আপনার কাছে কোনো নম্বর নেই

## /history
user-history-now =
    <b>এখন</b>
    <code>{ $number }</code> · { $category } · { $since } থেকে
user-history-none = আপনার কোনো নম্বরের ব্যবহার এখনো শেষ হয়নি।
user-history-last = <b>আপনার শেষ নম্বরগুলো ({ $n })</b>
user-codes-none = কোনো কোড নেই
user-codes = { $n ->
    [one] { $n }টি কোড
   *[other] { $n }টি কোড
}
user-ended-completed = সম্পন্ন
user-ended-cancelled = বাতিল
user-ended-changed = বদলানো
user-ended-expired = মেয়াদ শেষ

## অ্যাক্সেস
access-records-unavailable = numbot এখন ব্যবহারকারীর রেকর্ড পড়তে পারছে না। এক মিনিট পরে আবার চেষ্টা করুন।
access-banned = আপনাকে এই বটে নিষিদ্ধ করা হয়েছে। এটি ভুল হলে একজন অ্যাডমিনের সঙ্গে যোগাযোগ করুন।
access-banned-reason = আপনাকে এই বটে নিষিদ্ধ করা হয়েছে। কারণ: { $reason }। এটি ভুল হলে একজন অ্যাডমিনের সঙ্গে যোগাযোগ করুন।
access-new-user = নতুন ব্যবহারকারী অ্যাক্সেস চাইছেন: { $name } (id <code>{ $id }</code>)।
access-button-approve = অনুমোদন
access-button-reject = প্রত্যাখ্যান ও নিষিদ্ধ
access-waiting-approval = আপনার অ্যাক্সেসের অনুরোধ একজন অ্যাডমিনের অনুমোদনের অপেক্ষায় আছে। অনুমোদন হলে এখানে একটি বার্তা পাবেন।
access-join-channel = numbot শুধু { $channel }-এর সদস্যদের জন্য। যোগ দিন, তারপর আবার চেষ্টা করুন।
access-join-team-channel = numbot শুধু দলের চ্যানেলের সদস্যদের জন্য। চ্যানেলে যোগ দিন, তারপর আবার চেষ্টা করুন।
access-channel-check-failed = numbot এখন চ্যানেলের সদস্যপদ যাচাই করতে পারছে না (বটটি কি চ্যানেলের অ্যাডমিন?)। পরে আবার চেষ্টা করুন।
access-describe-admin = আপনি অ্যাডমিন: নম্বর যোগ করতে CSV ফাইল পাঠান, কমান্ডের জন্য /help।
access-describe-pending = অ্যাক্সেসের জন্য অ্যাডমিনের অনুমোদন লাগবে: আপনার অনুরোধ পাঠানো হয়েছে। অনুমোদন হলে এখানে একটি বার্তা পাবেন।
access-describe-channel = অ্যাক্সেস দলের চ্যানেলের সদস্যদের জন্য: /countries আপনার সদস্যপদ যাচাই করে।
access-describe-open = আপনার অ্যাক্সেস আছে: নম্বর পেতে /countries ব্যবহার করুন।

## হ্যান্ডলার ট্রির উত্তর
bot-too-fast = আপনি খুব দ্রুত পাঠাচ্ছেন। { $wait } অপেক্ষা করে আবার চেষ্টা করুন।
bot-too-fast-toast = খুব দ্রুত: { $wait } অপেক্ষা করুন।
bot-admin-only-command = এই কমান্ড শুধু অ্যাডমিনদের জন্য। চেষ্টাটি লগে রাখা হয়েছে।
bot-unknown-command = অজানা কমান্ড /{ $name }। আমি কী করতে পারি, /help দেখায়।
bot-hint = নম্বর পেতে /countries পাঠান, বা /help।
bot-admin-only-button = এই বোতাম শুধু অ্যাডমিনদের জন্য।
bot-button-stale = এই বোতামটি আর কাজ করে না।
