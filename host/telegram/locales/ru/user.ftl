# Что видит каждый пользователь: /start, /help, /countries, номер и его кнопки, /stats, /history; доступ и отказы (access-), ответы дерева обработчиков (bot-).

## /start и /help
user-welcome = Добро пожаловать в numbot. Бот выдаёт телефонные номера из общего пула вашей команды для тестов SMS-верификации.
user-help-intro = numbot выдаёт вам телефонный номер из пула команды: используйте его для проверки, затем нажмите «Готово» («Отмена» вернёт номер неиспользованным, «Сменить номер» даст другой).
user-help-admins = Администраторам:
user-help-csv = Отправьте CSV-файл, чтобы добавить номера; категорию задаёт подпись к файлу (или его столбец Range).
user-help-limit = Можно взять { $max ->
    [one] { $max } номер
    [few] { $max } номера
    [many] { $max } номеров
   *[other] { $max } номера
} за { $window }, по одному за раз.

## /countries
user-page-prev = « Назад
user-page-next = Далее »
user-none-available = Свободных номеров сейчас нет. Сначала их должен загрузить администратор.
user-pick-category = Выберите категорию:
user-category-gone = Этой категории больше нет. Отправьте /countries ещё раз.
user-category-empty = Номера категории { $category } сейчас закончились. Выберите другую: /countries

## Номер и его кнопки
user-button-done = Готово
user-button-change = Сменить номер
user-button-cancel = Отмена
user-number =
    Ваш номер: <code>{ $number }</code>
    { $display }
    Страна: { $country } · Категория: { $category }
    Из файла: { $file }
    Номер ваш до { $until }. { $waiting }
user-number-relayed = Используйте его сейчас: сообщения на этот номер придут сюда. Нажмите «Готово», когда закончите, или «Отмена», чтобы вернуть его неиспользованным.
user-number-waiting = Нажмите «Готово», когда закончите, или «Отмена», чтобы вернуть номер неиспользованным; «Сменить номер» даст другой.
user-limited = Вы уже взяли { $max ->
    [one] { $max } номер
    [few] { $max } номера
    [many] { $max } номеров
   *[other] { $max } номера
} за последние { $window }. Следующий можно будет взять через { $wait }.
user-already-holding = У вас уже есть номер <code>{ $number }</code>. Только один номер за раз: нажмите «Готово», когда закончите, или «Сменить номер», чтобы получить другой.
user-changed = Вот другой номер.
user-change-none = Других свободных номеров категории { $category } сейчас нет; этот остаётся у вас.
user-holding-none = Сейчас у вас нет номера.
user-holding-none-countries = Сейчас у вас нет номера: отправьте /countries.
user-released = Номер <code>{ $number }</code> освобождён. Отправьте /countries, когда понадобится новый.
user-released-toast = Номер освобождён.
user-done = Работа с <code>{ $number }</code> завершена. Отправьте /countries, когда понадобится новый номер.
user-done-toast = Номер { $number } завершён.
user-store-failed = Что-то пошло не так на стороне numbot; ничего не изменилось. Подробности администраторы увидят в журнале.

## /stats
user-stats-available = <b>Доступно сейчас</b>
user-stats-empty = Номера ещё не загружены.
user-stats-more = … и ещё { $n ->
    [one] { $n } категория
    [few] { $n } категории
    [many] { $n } категорий
   *[other] { $n } категории
}: /countries покажет все
user-stats-you =
    <b>Вы</b>
    Взято номеров: { $taken }
user-stats-holding = У вас <code>{ $number }</code> ({ $category }) до { $until }
user-stats-holding-none = Сейчас у вас нет номера

## /history
user-history-now =
    <b>Сейчас</b>
    <code>{ $number }</code> · { $category } · с { $since }
user-history-none = У вас ещё нет завершённых номеров.
user-history-last = <b>Ваши последние номера ({ $n })</b>
user-codes-none = нет кода
user-codes = { $n ->
    [one] { $n } код
    [few] { $n } кода
    [many] { $n } кодов
   *[other] { $n } кода
}
user-ended-completed = завершён
user-ended-cancelled = отменён
user-ended-changed = заменён
user-ended-expired = истёк

## Доступ
access-records-unavailable = numbot сейчас не может прочитать записи пользователей. Попробуйте через минуту.
access-banned = Вы заблокированы в этом боте. Если это ошибка, свяжитесь с администратором.
access-banned-reason = Вы заблокированы в этом боте. Причина: { $reason }. Если это ошибка, свяжитесь с администратором.
access-new-user = Новый пользователь просит доступ: { $name } (id <code>{ $id }</code>).
access-button-approve = Одобрить
access-button-reject = Отклонить и заблокировать
access-waiting-approval = Ваш запрос на доступ ждёт одобрения администратора. Когда его одобрят, вы получите здесь сообщение.
access-join-channel = numbot доступен только участникам { $channel }. Вступите и попробуйте снова.
access-join-team-channel = numbot доступен только участникам канала команды. Вступите в него и попробуйте снова.
access-channel-check-failed = numbot сейчас не может проверить участие в канале (бот точно администратор канала?). Попробуйте позже.
access-describe-admin = Вы администратор: отправьте CSV-файл, чтобы добавить номера; /help покажет команды.
access-describe-pending = Для доступа нужно одобрение администратора: ваш запрос отправлен. Когда его одобрят, вы получите здесь сообщение.
access-describe-channel = Доступ есть у участников канала команды: /countries проверит, состоите ли вы в нём.
access-describe-open = У вас есть доступ: отправьте /countries, чтобы получить номер.

## Ответы дерева обработчиков
bot-too-fast = Вы пишете слишком часто. Подождите { $wait } и попробуйте снова.
bot-too-fast-toast = Слишком часто: подождите { $wait }.
bot-admin-only-command = Эта команда только для администраторов. Попытка записана в журнал.
bot-unknown-command = Неизвестная команда /{ $name }. /help покажет, что я умею.
bot-hint = Отправьте /countries, чтобы получить номер, или /help.
bot-admin-only-button = Эта кнопка только для администраторов.
bot-button-stale = Эта кнопка больше не действует.
