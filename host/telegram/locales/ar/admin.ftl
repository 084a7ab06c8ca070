# نصوص المشرفين: /broadcast و /export و /approve و /ban و /unban و /token.

## /broadcast

broadcast-usage = الاستخدام: /broadcast النص. يصل النص إلى كل مستخدم نشط بعد تأكيدك.
broadcast-busy = يجري إرسال بث الآن: أوقفه أو انتظر حتى ينتهي.
broadcast-records-failed = تعذّر الوصول إلى سجلات المستخدمين: { $error }
broadcast-preview = 📣 إلى { $n ->
        [zero] { $n } مستخدم نشط
        [one] { $n } مستخدم نشط
        [two] { $n } مستخدمَين نشطَين
        [few] { $n } مستخدمين نشطين
        [many] { $n } مستخدمًا نشطًا
       *[other] { $n } مستخدم نشط
    }:
broadcast-send-button = إرسال إلى { $n }
broadcast-cancel-button = إلغاء
broadcast-stop-button = إيقاف
broadcast-not-current = هذه المعاينة لم تعد صالحة.
broadcast-sending = جارٍ الإرسال.
broadcast-cancelled = أُلغي البث: لم يُرسل شيء.
broadcast-over = انتهى هذا البث.
broadcast-stopping = جارٍ الإيقاف.
broadcast-counts = وصل: { $delivered }، حظروا البوت: { $blocked }، فشل: { $failed }
broadcast-progress = 📣 البث: أُرسل { $sent } من { $total } ({ $counts }).
broadcast-stopped = 📣 توقف البث بعد { $sent } من { $total }: { $counts }.
broadcast-finished = 📣 اكتمل البث: { $sent } من { $total }: { $counts }.

## /export

export-usage = الاستخدام: /export [من] [إلى]، والتواريخ بصيغة YYYY-MM-DD (بتوقيت UTC، مع احتساب اليومين). دون تواريخ: كل الاستخدامات.
export-bad-date = { $date } ليس تاريخًا: اكتبه بصيغة YYYY-MM-DD (UTC).
export-no-tempdir = تعذّرت كتابة التصدير: لا يوجد مجلد مؤقت.
export-failed = فشل التصدير: { $error }
export-none = لم ينتهِ أي استخدام في هذه الفترة.
export-too-big = حجم ملف { $format } هو { $mb } ميغابايت، أي أكبر من حد Telegram البالغ 50 ميغابايت: صدّر فترة أقصر، أو شغّل `numbot export FILE` على الخادم.
export-caption = { $n ->
        [zero] { $n } استخدام
        [one] { $n } استخدام
        [two] { $n } استخدامان
        [few] { $n } استخدامات
        [many] { $n } استخدامًا
       *[other] { $n } استخدام
    } ({ $format })

## /approve و /ban و /unban وزرّا القبول والرفض

people-ban-usage = الاستخدام: /ban <معرّف المستخدم> [السبب]
people-unban-usage = الاستخدام: /unban <معرّف المستخدم>
people-admin-unbannable = لا يمكن حظر المشرفين؛ أزلهم من الإعدادات أولًا.
people-records-unreadable = تتعذّر قراءة سجلات المستخدمين الآن.
people-records-unwritable = تتعذّر الكتابة في سجلات المستخدمين الآن؛ لم يتغير شيء.
people-nobody-waiting = لا أحد ينتظر الموافقة.
people-waiting = { $n ->
        [zero] { $n } مستخدم
        [one] { $n } مستخدم
        [two] { $n } مستخدمان
        [few] { $n } مستخدمين
        [many] { $n } مستخدمًا
       *[other] { $n } مستخدم
    } بانتظار الموافقة:
people-approve-button = قبول { $name } ({ $id })
people-reject-button = رفض
people-approved-toast = تم قبول المستخدم { $id }.
people-rejected-toast = تم رفض المستخدم { $id } وحظره.
people-is-banned = المستخدم { $id } محظور: استخدم /unban { $id } لرفع الحظر.
people-has-access = المستخدم { $id } لديه صلاحية الوصول بالفعل.
people-not-asked = المستخدم { $id } لم يطلب الوصول.
people-banned = تم حظر { $name } ({ $id }).
people-banned-released = تم حظر { $name } ({ $id })؛ وعاد رقمه إلى المجموعة.
people-approved = يمكن لـ { $name } ({ $id }) الآن أخذ الأرقام.
# إلى المستخدم المعني، بلغته.
people-you-are-banned = حظرك أحد المشرفين من هذا البوت.
people-you-have-access = منحك أحد المشرفين صلاحية الوصول: استخدم /countries للحصول على رقم.

## /token (بتنسيق HTML: احتفظ بالوسوم)

token-usage =
    الاستخدام:
    /token create NAME [--max-uses N] [--numbers-per-window N] [--categories A,B]
    /token list
    /token revoke NAME
token-needs-value = الخيار { $flag } يحتاج إلى قيمة
token-takes-number = الخيار { $flag } يقبل رقمًا من 1 إلى { $max }
token-unknown-option = خيار غير معروف: { $option }
token-made =
    تم إنشاء رمز API <b>{ $name }</b>. سرّه يظهر هذه المرة فقط (يحتفظ numbot بتجزئته فقط):
    <code>{ $secret }</code>
    يرسله العملاء بالشكل <code>Authorization: Bearer …</code>.
    تُحذف هذه الرسالة بعد 10 دقائق، أو فورًا عند الضغط على الزر: انسخ السرّ الآن.
token-secret-delete-button = نسخته: احذف هذه الرسالة
token-secret-deleted = حُذفت: لم يعد السرّ في هذه المحادثة.
token-exists = يوجد بالفعل رمز API باسم <b>{ $name }</b>.
token-store-failed = تعذّر حفظ رمز API الآن؛ لم يتغير شيء.
token-unreadable = تتعذّر قراءة رموز API الآن.
token-none = لا توجد رموز API بعد: /token create NAME
token-list-title = <b>رموز API</b>
token-list-line = { $name } · { $max } في وقت واحد · { $categories } · { $state }
token-live = نشط
token-revoked-at = أُلغي في { $at }
token-all-categories = كل الفئات
token-revoked = تم إلغاء رمز API <b>{ $name }</b>.
token-no-live = لا يوجد رمز API نشط باسم <b>{ $name }</b>.
token-revoke-failed = تعذّر إلغاء رمز API الآن؛ لم يتغير شيء.
