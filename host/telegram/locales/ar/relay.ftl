# تمرير الرموز: الرموز والرسائل المرسلة إلى صاحب الرقم، وتنبيهات المزوّد للمشرفين، ومنشورات دردشة السجل.
relay-done-button = تم
relay-unknown-sender = غير معروف
relay-unexpected-sender = ⚠️ من مرسل غير متوقع ({ $sender }): رموز هذه الفئة تأتي عادةً من مصدر آخر، لذا قد تكون الرسالة مزوّرة. يبقى الرقم لك.
relay-code = الرمز للرقم <code>{ $number }</code>: <code>{ $code }</code>
relay-message-without-code = وصلت رسالة إلى <code>{ $number }</code> (لم يُعثر فيها على رمز):
relay-more-messages = ستصل هنا أيضًا الرسائل الأخرى إلى هذا الرقم. اضغط «تم» عند الانتهاء.
relay-lease-ended = لم يصل أي رمز إلى <code>{ $number }</code> قبل انتهاء مدته؛ فعاد الرقم إلى المجموعة. أرسل /countries للحصول على رقم آخر.
relay-provider-down = مزوّد الرسائل القصيرة ({ $provider }) يستمر في الفشل: { $error }. لن تُمرَّر الرموز حتى يستجيب من جديد؛ يواصل numbot المحاولة وسيُعلمك عند عودته.
relay-provider-recovered = مزوّد الرسائل القصيرة ({ $provider }) يستجيب من جديد بعد { $failures ->
        [zero] { $failures } محاولة استطلاع فاشلة
        [one] محاولة استطلاع فاشلة واحدة
        [two] محاولتي استطلاع فاشلتين
        [few] { $failures } محاولات استطلاع فاشلة
        [many] { $failures } محاولة استطلاع فاشلة
       *[other] { $failures } محاولة استطلاع فاشلة
    }؛ وعاد تمرير الرموز.
log-unexpected-sender = ⚠️ مرسل غير متوقع:
log-code = الرمز <code>{ $code }</code>
log-no-code = رسالة بلا رمز
log-holder-token = توكن API { $token }
log-holder-user = المستخدم { $user }
