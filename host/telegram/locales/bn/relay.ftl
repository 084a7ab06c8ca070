# কোড রিলে: নম্বরধারীকে পাঠানো কোড ও বার্তা, অ্যাডমিনদের প্রোভাইডার সতর্কতা, এবং লগ চ্যাটের পোস্ট।
relay-done-button = সম্পন্ন
relay-unknown-sender = অজানা
relay-unexpected-sender = ⚠️ অপ্রত্যাশিত প্রেরকের কাছ থেকে ({ $sender }): এই বিভাগের কোড অন্য জায়গা থেকে আসে, তাই এটি জাল হতে পারে। নম্বরটি আপনারই থাকছে।
relay-code = <code>{ $number }</code>-এর কোড: <code>{ $code }</code>
relay-message-without-code = <code>{ $number }</code>-এ একটি বার্তা এসেছে (এতে কোনো কোড পাওয়া যায়নি):
relay-more-messages = এই নম্বরে আসা আরও বার্তাও এখানে আসবে। কাজ শেষ হলে "সম্পন্ন" চাপুন।
relay-lease-ended = সময় শেষ হওয়ার আগে <code>{ $number }</code>-এ কোনো কোড আসেনি; নম্বরটি পুলে ফিরে গেছে। আরেকটি নিতে /countries পাঠান।
relay-provider-down = SMS প্রোভাইডার ({ $provider }) বারবার ব্যর্থ হচ্ছে: { $error }। আবার সাড়া না দেওয়া পর্যন্ত কোড রিলে হবে না; numbot চেষ্টা চালিয়ে যাচ্ছে এবং ঠিক হলে জানাবে।
relay-provider-recovered = SMS প্রোভাইডার ({ $provider }) { $failures } { $failures ->
        [one] বার ব্যর্থ পোলের
       *[other] বার ব্যর্থ পোলের
    } পর আবার সাড়া দিচ্ছে; কোড আবার রিলে হচ্ছে।
log-unexpected-sender = ⚠️ অপ্রত্যাশিত প্রেরক:
log-code = কোড <code>{ $code }</code>
log-no-code = কোডবিহীন একটি বার্তা
log-holder-token = API টোকেন { $token }
log-holder-user = ব্যবহারকারী { $user }
