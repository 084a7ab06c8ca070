# ما يراه كل مستخدم: /start و /help و/countries والرقم وأزراره و/stats و/history؛ الوصول والرفض (access-)، وردود شجرة المعالجات (bot-).

## /start و /help
user-welcome = مرحبًا بك في numbot. يوزّع البوت أرقام هواتف من مخزون فريقك لاختبارات التحقق عبر الرسائل القصيرة.
user-help-intro = يمنحك numbot رقم هاتف من مخزون الفريق؛ استخدمه للتحقق، ثم اضغط «تم» («إلغاء» يعيده دون استخدام، و«تغيير الرقم» يمنحك رقمًا آخر).
user-help-admins = للمشرفين:
user-help-csv = أرسل ملف CSV لإضافة أرقام؛ يحدد تعليق الملف (أو عمود Range فيه) الفئة.
user-help-limit = يمكنك أخذ { $max ->
    [zero] { $max } رقم
    [one] رقمًا واحدًا
    [two] رقمين
    [few] { $max } أرقام
    [many] { $max } رقمًا
   *[other] { $max } رقم
} كل { $window }، رقمًا واحدًا في كل مرة.

## /countries
user-page-prev = « السابق
user-page-next = التالي »
user-none-available = لا توجد أرقام متاحة الآن. يجب أن يرفع أحد المشرفين بعضها أولًا.
user-pick-category = اختر فئة:
user-category-gone = لم تعد هذه الفئة موجودة. أرسل /countries مرة أخرى.
user-category-empty = نفدت أرقام { $category } الآن. اختر فئة أخرى: /countries

## الرقم وأزراره
user-button-done = تم
user-button-change = تغيير الرقم
user-button-cancel = إلغاء
user-number =
    رقمك: <code>{ $number }</code>
    { $display }
    البلد: { $country } · الفئة: { $category }
    من الملف: { $file }
    الرقم لك حتى { $until }. { $waiting }
user-number-relayed = استخدمه الآن: الرسائل المرسلة إليه تصل إلى هنا. اضغط «تم» عند الانتهاء، أو «إلغاء» لإعادته دون استخدام.
user-number-waiting = اضغط «تم» عند الانتهاء، أو «إلغاء» لإعادته دون استخدام؛ و«تغيير الرقم» يمنحك رقمًا آخر.
user-limited = لقد أخذت { $max ->
    [zero] { $max } رقم
    [one] رقمًا واحدًا
    [two] رقمين
    [few] { $max } أرقام
    [many] { $max } رقمًا
   *[other] { $max } رقم
} خلال آخر { $window }. يمكنك أخذ رقم آخر بعد { $wait }.
user-already-holding = لديك الرقم <code>{ $number }</code> بالفعل. رقم واحد في كل مرة: اضغط «تم» عند الانتهاء، أو «تغيير الرقم» للحصول على رقم آخر.
user-changed = إليك رقمًا آخر.
user-change-none = لا يوجد رقم آخر متاح من { $category } الآن؛ سيبقى هذا الرقم معك.
user-holding-none = ليس لديك رقم الآن.
user-holding-none-countries = ليس لديك رقم الآن: استخدم /countries.
user-released = تم تحرير <code>{ $number }</code>. أرسل /countries عندما تحتاج إلى رقم آخر.
user-released-toast = تم تحرير الرقم.
user-done = انتهيت من <code>{ $number }</code>. أرسل /countries عندما تحتاج إلى رقم آخر.
user-done-toast = انتهيت من { $number }.
user-store-failed = حدث خطأ من جهة numbot؛ لم يتغير شيء. يمكن للمشرفين رؤية التفاصيل في السجل.

## /stats
user-stats-available = <b>المتاح الآن</b>
user-stats-empty = لم تُرفع أي أرقام بعد.
user-stats-more = … وهناك { $n ->
    [zero] { $n } فئة أخرى
    [one] فئة أخرى
    [two] فئتان أخريان
    [few] { $n } فئات أخرى
    [many] { $n } فئة أخرى
   *[other] { $n } فئة أخرى
}: يعرضها /countries كلها
user-stats-you =
    <b>أنت</b>
    الأرقام المأخوذة: { $taken }
user-stats-holding = لديك <code>{ $number }</code> ({ $category }) حتى { $until }
user-stats-holding-none = ليس لديك رقم الآن

## /history
user-history-now =
    <b>الآن</b>
    <code>{ $number }</code> · { $category } · منذ { $since }
user-history-none = لم ينتهِ أي استخدام لأرقامك بعد.
user-history-last = <b>آخر أرقامك ({ $n })</b>
user-codes-none = بلا رمز
user-codes = { $n ->
    [zero] { $n } رمز
    [one] رمز واحد
    [two] رمزان
    [few] { $n } رموز
    [many] { $n } رمزًا
   *[other] { $n } رمز
}
user-ended-completed = مكتمل
user-ended-cancelled = ملغى
user-ended-changed = مُستبدل
user-ended-expired = منتهي المدة

## الوصول
access-records-unavailable = لا يستطيع numbot قراءة سجلات المستخدمين الآن. حاول مرة أخرى بعد دقيقة.
access-banned = أنت محظور من هذا البوت. تواصل مع أحد المشرفين إن كان هذا خطأ.
access-banned-reason = أنت محظور من هذا البوت. السبب: { $reason }. تواصل مع أحد المشرفين إن كان هذا خطأ.
access-new-user = مستخدم جديد يطلب الوصول: { $name } (المعرّف <code>{ $id }</code>).
access-button-approve = موافقة
access-button-reject = رفض وحظر
access-waiting-approval = طلب وصولك بانتظار موافقة أحد المشرفين. ستصلك رسالة هنا عند الموافقة عليه.
access-join-channel = numbot مخصص لأعضاء { $channel }. انضم إليها ثم حاول مرة أخرى.
access-join-team-channel = numbot مخصص لأعضاء قناة الفريق. انضم إليها ثم حاول مرة أخرى.
access-channel-check-failed = لا يستطيع numbot التحقق من عضوية القناة الآن (هل البوت مشرف في القناة؟). حاول لاحقًا.
access-describe-admin = أنت مشرف: أرسل ملف CSV لإضافة أرقام، و /help لعرض الأوامر.
access-describe-pending = يتطلب الوصول موافقة أحد المشرفين: تم إرسال طلبك. ستصلك رسالة هنا عند الموافقة عليه.
access-describe-channel = الوصول متاح لأعضاء قناة الفريق: يتحقق /countries من عضويتك.
access-describe-open = لديك صلاحية الوصول: استخدم /countries للحصول على رقم.

## ردود شجرة المعالجات
bot-too-fast = أنت ترسل بسرعة كبيرة. انتظر { $wait } ثم حاول مرة أخرى.
bot-too-fast-toast = بسرعة كبيرة: انتظر { $wait }.
bot-admin-only-command = هذا الأمر للمشرفين فقط. تم تسجيل المحاولة.
bot-unknown-command = أمر غير معروف /{ $name }. يعرض /help ما يمكنني فعله.
bot-hint = أرسل /countries للحصول على رقم، أو /help.
bot-admin-only-button = هذا الزر للمشرفين فقط.
bot-button-stale = لم يعد هذا الزر صالحًا.
