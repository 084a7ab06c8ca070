# Тексты для админов: /broadcast, /export, /approve, /ban, /unban и /token.

## /broadcast

broadcast-usage = Использование: /broadcast ТЕКСТ. Каждый активный пользователь получит ТЕКСТ, когда вы подтвердите.
broadcast-busy = Рассылка уже идёт: остановите её или дождитесь окончания.
broadcast-records-failed = Ошибка записей пользователей: { $error }
broadcast-preview = 📣 { $n ->
        [one] { $n } активному пользователю
        [few] { $n } активным пользователям
        [many] { $n } активным пользователям
       *[other] { $n } активным пользователям
    }:
broadcast-send-button = Отправить ({ $n })
broadcast-cancel-button = Отмена
broadcast-stop-button = Остановить
broadcast-not-current = Этот предпросмотр уже неактуален.
broadcast-sending = Отправляю.
broadcast-cancelled = Рассылка отменена: ничего не отправлено.
broadcast-over = Эта рассылка уже завершена.
broadcast-stopping = Останавливаю.
broadcast-counts = доставлено: { $delivered }, заблокировали бота: { $blocked }, ошибок: { $failed }
broadcast-progress = 📣 Рассылка: отправлено { $sent } из { $total } ({ $counts }).
broadcast-stopped = 📣 Рассылка остановлена после { $sent } из { $total }: { $counts }.
broadcast-finished = 📣 Рассылка завершена: { $sent } из { $total }: { $counts }.

## /export

export-usage = Использование: /export [с] [по], даты в виде ГГГГ-ММ-ДД (UTC, обе включительно). Без дат: за всё время.
export-bad-date = { $date } — не дата: укажите её как ГГГГ-ММ-ДД (UTC).
export-no-tempdir = Не удалось записать выгрузку: нет временного каталога.
export-failed = Выгрузка не удалась: { $error }
export-none = За этот период не завершилось ни одно использование.
export-too-big = Файл { $format } весит { $mb } МБ, больше лимита Telegram в 50 МБ: выгрузите период покороче или запустите `numbot export FILE` на сервере.
export-caption = { $n ->
        [one] { $n } использование
        [few] { $n } использования
        [many] { $n } использований
       *[other] { $n } использования
    } ({ $format })

## /approve, /ban, /unban и кнопки «Одобрить» / «Отклонить»

people-ban-usage = Использование: /ban <id пользователя> [причина]
people-unban-usage = Использование: /unban <id пользователя>
people-admin-unbannable = Админа нельзя заблокировать; сначала уберите его из конфигурации.
people-records-unreadable = Не удаётся прочитать записи пользователей.
people-records-unwritable = Не удаётся сохранить записи пользователей; ничего не изменилось.
people-nobody-waiting = Никто не ждёт одобрения.
people-waiting = { $n ->
        [one] { $n } пользователь ждёт
        [few] { $n } пользователя ждут
        [many] { $n } пользователей ждут
       *[other] { $n } пользователя ждут
    } одобрения:
people-approve-button = Одобрить { $name } ({ $id })
people-reject-button = Отклонить
people-approved-toast = Пользователь { $id } одобрен.
people-rejected-toast = Пользователь { $id } отклонён и заблокирован.
people-is-banned = Пользователь { $id } заблокирован: /unban { $id } снимет блокировку.
people-has-access = У пользователя { $id } уже есть доступ.
people-not-asked = Пользователь { $id } не запрашивал доступ.
people-banned = { $name } ({ $id }) заблокирован.
people-banned-released = { $name } ({ $id }) заблокирован; его номер вернулся в пул.
people-approved = { $name } ({ $id }) теперь может брать номера.
# Тому, кого это касается, на его языке.
people-you-are-banned = Администратор заблокировал вам доступ к этому боту.
people-you-have-access = Администратор открыл вам доступ: отправьте /countries, чтобы получить номер.

## /token (HTML: теги сохранить)

token-usage =
    Использование:
    /token create ИМЯ [--max-uses N] [--numbers-per-window N] [--categories A,B]
    /token list
    /token revoke ИМЯ
token-needs-value = Для { $flag } нужно значение
token-takes-number = { $flag } принимает число от 1 до { $max }
token-unknown-option = неизвестный параметр { $option }
token-made =
    Токен <b>{ $name }</b> создан. Его секрет показан только сейчас (numbot хранит лишь хеш):
    <code>{ $secret }</code>
    Клиенты передают его как <code>Authorization: Bearer …</code>.
    Это сообщение удалится через 10 минут или сразу по кнопке ниже: скопируйте секрет сейчас.
token-secret-delete-button = Скопировал: удалить сообщение
token-secret-deleted = Удалено: секрета больше нет в этом чате.
token-exists = Токен с именем <b>{ $name }</b> уже существует.
token-store-failed = Не удалось сохранить токен; ничего не изменилось.
token-unreadable = Не удаётся прочитать токены.
token-none = Токенов API пока нет: /token create ИМЯ
token-list-title = <b>Токены API</b>
token-list-line = { $name } · { $max } одновременно · { $categories } · { $state }
token-live = активен
token-revoked-at = отозван { $at }
token-all-categories = все категории
token-revoked = Токен <b>{ $name }</b> отозван.
token-no-live = Нет активного токена с именем <b>{ $name }</b>.
token-revoke-failed = Не удалось отозвать токен; ничего не изменилось.
