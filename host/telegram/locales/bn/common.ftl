# বটের সব অংশে ব্যবহৃত লেখা।
something-went-wrong = কিছু একটা ভুল হয়েছে; আবার চেষ্টা করুন।
wait-seconds = { $s } সেকেন্ড
wait-minutes = { $min } মিনিট
wait-minutes-seconds = { $min } মিনিট { $s } সেকেন্ড
wait-hours-minutes = { $h } ঘণ্টা { $min } মিনিট
