# نصوص المشرفين: رفع ملفات CSV و/csvlist و/csvdelete و/csvstats و/plugins و/audit.

## أي أمر للمشرفين
admin-store-failed = فشل التخزين: { $error }

## الرفع
upload-admins-only = رفع الأرقام متاح للمشرفين فقط. سُجّلت هذه المحاولة.
upload-download-failed = تعذّر تنزيل { $name } من Telegram ({ $error }). أرسله مرة أخرى.
upload-too-big = حجم { $name } هو { $mb } MB، ولا يسمح Telegram للبوتات بتنزيل ملفات أكبر من 20 MB. قسّمه إلى ملفات CSV أصغر وأرسلها واحدًا تلو الآخر (أو استخدم `numbot import` على الخادم).
upload-not-csv = { $name } ليس ملف CSV. يستورد numbot ملفات .csv (أو .txt) فيها رقم واحد في كل صف. في Excel أو Google Sheets، احفظ الورقة أو نزّلها بصيغة CSV وأرسلها.
upload-nothing-imported = لم يُستورد شيء من { $name }: { $error }
upload-ask-category = { $file }: عُثر على { $n ->
    [zero] { $shown } رقم
    [one] رقم واحد
    [two] رقمين
    [few] { $shown } أرقام
    [many] { $shown } رقمًا
   *[other] { $shown } رقم
}. إلى أي فئة تُضاف؟ ردّ باسم الفئة (مثلًا <i>UAE Mobile</i>) أو اختر واحدة.
upload-replaces = (يحلّ هذا الملف محلّ { $file } الذي كان ينتظر فئته.)
upload-many-categories = يذكر عمود Range فيه عدة فئات ({ $named })؛ يذهب الملف إلى فئة واحدة فقط، لذا قسّمه إن كان يجب أن تبقى منفصلة.
upload-cancel-button = إلغاء الرفع
upload-not-kept = تعذّر على numbot الاحتفاظ بالملف أثناء انتظار فئته؛ أرسله مرة أخرى واكتب الفئة في التعليق.
upload-fetch-failed = تعذّر جلب { $name } من Telegram ({ $error })؛ لم يُستورد شيء. أجب مرة أخرى، أو أرسل الملف من جديد.
upload-none-waiting = لا يوجد ملف ينتظر.
upload-lapsed = انتهت صلاحية هذا السؤال: أرسل الملف مرة أخرى.
upload-out-of-date = هذا السؤال قديم: أجب عن أحدث سؤال.
upload-cancelled = أُلغي رفع { $name }؛ لم يُستورد { $n ->
    [zero] أي رقم
    [one] رقم واحد
    [two] رقمان
    [few] { $shown } أرقام
    [many] { $shown } رقمًا
   *[other] { $shown } رقم
}.
upload-category-gone = لم تعد هذه الفئة موجودة: اكتب اسمًا.
upload-bad-category = { $error }. اكتب اسمًا آخر.

## تقرير الرفع
upload-report-imported = <b>استُورد { $n ->
    [zero] { $shown } رقم
    [one] رقم واحد
    [two] رقمان
    [few] { $shown } أرقام
    [many] { $shown } رقمًا
   *[other] { $shown } رقم
} إلى { $category }</b>
upload-report-stored = حُفظ باسم { $file }
upload-report-country = الدولة: { $country }
upload-report-duplicates = المكرر: { $in_file } داخل الملف، و{ $in_pool } موجود مسبقًا في المخزون
upload-report-rejected = المرفوض: { $shown }
upload-report-line = السطر { $line }: { $reason }
upload-report-more = … و{ $shown } غيرها

## /csvstats
files-none-yet-send = لم يُرفع أي ملف بعد. أرسل ملف CSV لإضافة أرقام.
files-column-file = الملف
files-column-total = الكل
files-column-free = متاح
files-column-in-use = مشغول
files-column-used = استخدام%
files-column-taken = مأخوذ
files-usage-title = <b>الاستخدام حسب الملف</b>
files-usage-first = أول { $shown } من أصل { $total ->
    [few] { $total } ملفات
    [many] { $total } ملفًا
   *[other] { $total } ملف
}؛ الأمر <code>numbot files</code> على الخادم يعرضها كلها.
files-chart-caption = الأرقام في كل ملف حسب الحالة (عدد الملفات: { $n }).
files-usage-caption = الأرقام المأخوذة والرموز المستلمة يوميًا، آخر { $days ->
    [one] يوم
    [two] يومين
    [few] { $days } أيام
    [many] { $days } يومًا
   *[other] { $days } يوم
} (UTC). تُحتسب الرموز بعد انتهاء استخدام الرقم.

## /csvlist
files-none-yet = لم يُرفع أي ملف بعد.
files-list-title = <b>الملفات: { $n }</b>
files-list-entry = { $country } · { $n ->
    [zero] { $shown } رقم
    [one] رقم واحد
    [two] رقمان
    [few] { $shown } أرقام
    [many] { $shown } رقمًا
   *[other] { $shown } رقم
} ({ $free } متاح) · رُفع في { $date } بواسطة { $admin }
files-list-more = … و{ $n } غيرها: الأمر <code>numbot files</code> على الخادم يعرضها كلها.
files-list-deleted = ملفات محذوفة محفوظة في السجل: { $n }.

## /csvdelete
files-none-to-delete = لا توجد ملفات لحذفها.
files-delete-button = { $name } ({ $n ->
    [zero] { $shown } رقم
    [one] رقم واحد
    [two] رقمان
    [few] { $shown } أرقام
    [many] { $shown } رقمًا
   *[other] { $shown } رقم
})
files-delete-question = أي ملف تريد حذفه؟
files-delete-question-first = أي ملف تريد حذفه؟ (أول { $shown } من أصل { $total }؛ الأمر `numbot delete` على الخادم يحذف أيًّا منها.)
files-gone = هذا الملف محذوف بالفعل.
files-delete-confirm = حذف { $name }؟ { $free_n ->
    [one] يخرج رقمه المتاح الوحيد
   *[other] تخرج أرقامه المتاحة ({ $free })
} من المخزون الآن، { $in_use_n ->
    [one] ويخرج الرقم المشغول عند تحريره
   *[other] وتخرج الأرقام المشغولة ({ $in_use }) عند تحريرها
}. يبقى السجل كما هو.
files-delete-yes = نعم، احذف
files-delete-no = لا
files-deleted = حُذف { $name }: خرج من المخزون { $n ->
    [zero] { $shown } رقم
    [one] رقم واحد
    [two] رقمان
    [few] { $shown } أرقام
    [many] { $shown } رقمًا
   *[other] { $shown } رقم
}.
files-deleted-toast = تم الحذف.
files-nothing-deleted = لم يُحذف شيء.

## /plugins و/audit
info-plugins-title = <b>الإضافات</b>
info-plugins-all-countries = كل الدول
info-plugins-refused = مرفوض { $path }: { $error }
info-audit-empty = سجل التدقيق فارغ.
info-audit-title = <b>أحدث أحداث التدقيق</b>
