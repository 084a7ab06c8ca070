# Тексты для админов: загрузка CSV, /csvlist, /csvdelete, /csvstats, /plugins, /audit.

## Любая команда админа
admin-store-failed = Ошибка хранилища: { $error }

## Загрузки
upload-admins-only = Загружать номера могут только админы. Попытка записана в журнал.
upload-download-failed = Не удалось скачать { $name } из Telegram ({ $error }). Отправьте файл ещё раз.
upload-too-big = { $name } весит { $mb } МБ, а Telegram позволяет ботам скачивать файлы не больше 20 МБ. Разбейте его на CSV-файлы поменьше и отправьте по одному (или используйте `numbot import` на сервере).
upload-not-csv = { $name } — не CSV-файл. numbot импортирует файлы .csv (или .txt) с одним номером в строке. В Excel или Google Таблицах сохраните или скачайте лист как CSV и отправьте его.
upload-nothing-imported = Из { $name } ничего не импортировано: { $error }
upload-ask-category = { $file }: { $n ->
    [one] найден { $shown } номер. В какую категорию добавить?
    [few] найдено { $shown } номера. В какую категорию добавить?
    [many] найдено { $shown } номеров. В какую категорию добавить?
   *[other] найдено { $shown } номера. В какую категорию добавить?
} Ответьте её названием (например, <i>UAE Mobile</i>) или выберите из списка.
upload-replaces = (Этот файл заменяет { $file }, который ждал выбора категории.)
upload-many-categories = В столбце Range указано несколько категорий ({ $named }), а файл попадает только в одну, так что разделите его, если они должны остаться раздельными.
upload-cancel-button = Отменить загрузку
upload-not-kept = numbot не смог сохранить загрузку до выбора категории; отправьте файл ещё раз, указав категорию в подписи.
upload-fetch-failed = Не удалось получить { $name } из Telegram ({ $error }); ничего не импортировано. Ответьте ещё раз или отправьте файл заново.
upload-none-waiting = Нет загрузки, ожидающей ответа.
upload-lapsed = Вопрос устарел: отправьте файл ещё раз.
upload-out-of-date = Этот вопрос уже неактуален: ответьте на последний.
upload-cancelled = Загрузка { $name } отменена; { $n ->
    [one] { $shown } номер не импортирован.
    [few] { $shown } номера не импортированы.
    [many] { $shown } номеров не импортировано.
   *[other] { $shown } номера не импортировано.
}
upload-category-gone = Этой категории больше нет: введите название.
upload-bad-category = { $error }. Введите другое название.

## Отчёт о загрузке
upload-report-imported = <b>{ $n ->
    [one] Импортирован { $shown } номер
    [few] Импортировано { $shown } номера
    [many] Импортировано { $shown } номеров
   *[other] Импортировано { $shown } номера
} в { $category }</b>
upload-report-stored = Сохранён как { $file }
upload-report-country = Страна: { $country }
upload-report-duplicates = Дубликаты: { $in_file } внутри файла, { $in_pool } уже в пуле
upload-report-rejected = Отклонено: { $shown }
upload-report-line = строка { $line }: { $reason }
upload-report-more = … и ещё { $shown }

## /csvstats
files-none-yet-send = Файлы ещё не загружены. Отправьте CSV-файл, чтобы добавить номера.
files-column-file = файл
files-column-total = всего
files-column-free = свободно
files-column-in-use = занято
files-column-used = исп.%
files-column-taken = выдано
files-usage-title = <b>Использование по файлам</b>
files-usage-first = Первые { $shown } из { $total ->
    [one] { $total } файла
   *[other] { $total } файлов
}; <code>numbot files</code> на сервере покажет все.
files-chart-caption = Номера по файлам и состояниям ({ $n ->
    [one] { $n } файл
    [few] { $n } файла
    [many] { $n } файлов
   *[other] { $n } файла
}).
files-usage-caption = Взятые номера и полученные коды по дням за { $days ->
    [one] последний { $days } день
    [few] последние { $days } дня
    [many] последние { $days } дней
   *[other] последние { $days } дня
} (UTC). Коды учитываются, когда использование номера закончилось.

## /csvlist
files-none-yet = Файлы ещё не загружены.
files-list-title = <b>{ $n ->
    [one] { $n } файл
    [few] { $n } файла
    [many] { $n } файлов
   *[other] { $n } файла
}</b>
files-list-entry = { $country } · { $n ->
    [one] { $shown } номер
    [few] { $shown } номера
    [many] { $shown } номеров
   *[other] { $shown } номера
} ({ $free } свободно) · загружен { $date }, админ { $admin }
files-list-more = … и ещё { $n }: <code>numbot files</code> на сервере покажет все.
files-list-deleted = { $n ->
    [one] { $n } удалённый файл хранится в истории.
    [few] { $n } удалённых файла хранятся в истории.
    [many] { $n } удалённых файлов хранятся в истории.
   *[other] { $n } удалённого файла хранятся в истории.
}

## /csvdelete
files-none-to-delete = Нет файлов для удаления.
files-delete-button = { $name } ({ $n ->
    [one] { $shown } номер
    [few] { $shown } номера
    [many] { $shown } номеров
   *[other] { $shown } номера
})
files-delete-question = Какой файл удалить?
files-delete-question-first = Какой файл удалить? (Первые { $shown } из { $total }; `numbot delete` на сервере удалит любой.)
files-gone = Этот файл уже удалён.
files-delete-confirm = Удалить { $name }? { $free_n ->
    [one] Его { $free } свободный номер сразу уйдёт
    [few] Его { $free } свободных номера сразу уйдут
    [many] Его { $free } свободных номеров сразу уйдут
   *[other] Его { $free } свободного номера сразу уйдут
} из пула, { $in_use_n ->
    [one] а { $in_use } занятый — когда его освободят
    [few] а { $in_use } занятых — когда их освободят
    [many] а { $in_use } занятых — когда их освободят
   *[other] а { $in_use } занятых — когда их освободят
}. История сохранится.
files-delete-yes = Да, удалить
files-delete-no = Нет
files-deleted = Файл { $name } удалён: { $n ->
    [one] { $shown } номер ушёл из пула.
    [few] { $shown } номера ушли из пула.
    [many] { $shown } номеров ушли из пула.
   *[other] { $shown } номера ушли из пула.
}
files-deleted-toast = Удалено.
files-nothing-deleted = Ничего не удалено.

## /plugins и /audit
info-plugins-title = <b>Плагины</b>
info-plugins-all-countries = все страны
info-plugins-refused = отклонён { $path }: { $error }
info-audit-empty = Журнал аудита пуст.
info-audit-title = <b>Последние события аудита</b>
