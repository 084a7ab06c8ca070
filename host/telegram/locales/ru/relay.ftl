# Пересылка кодов: коды и сообщения владельцу номера, оповещения админам о провайдере и записи в лог-чат.
relay-done-button = Готово
relay-unknown-sender = неизвестен
relay-unexpected-sender = ⚠️ Неожиданный отправитель ({ $sender }): коды этой категории обычно приходят с другого адреса, так что сообщение может быть поддельным. Номер остаётся за вами.
relay-code = Код для <code>{ $number }</code>: <code>{ $code }</code>
relay-message-without-code = На <code>{ $number }</code> пришло сообщение (кода в нём не нашлось):
relay-more-messages = Следующие сообщения на этот номер тоже придут сюда. Нажмите «Готово», когда закончите.
relay-lease-ended = На <code>{ $number }</code> не пришёл код, пока номер был за вами; номер вернулся в пул. Отправьте /countries, чтобы взять другой.
relay-provider-down = SMS-провайдер ({ $provider }) не отвечает: { $error }. Коды не пересылаются, пока он не заработает; numbot продолжает попытки и сообщит, когда связь восстановится.
relay-provider-recovered = SMS-провайдер ({ $provider }) снова отвечает после { $failures } { $failures ->
        [one] неудачного опроса
        [few] неудачных опросов
        [many] неудачных опросов
       *[other] неудачного опроса
    }; коды снова пересылаются.
log-unexpected-sender = ⚠️ неожиданный отправитель:
log-code = код <code>{ $code }</code>
log-no-code = сообщение без кода
log-holder-token = API-токен { $token }
log-holder-user = пользователь { $user }
