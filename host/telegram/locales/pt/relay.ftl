# O repasse de códigos: códigos e mensagens para quem está com o número, alertas do provedor aos admins e posts no chat de registro.
relay-done-button = Pronto
relay-unknown-sender = desconhecido
relay-unexpected-sender = ⚠️ De um remetente inesperado ({ $sender }): os códigos desta categoria vêm de outro lugar, então pode ser falso. O número continua seu.
relay-code = Código para <code>{ $number }</code>: <code>{ $code }</code>
relay-message-without-code = Chegou uma mensagem em <code>{ $number }</code> (sem código):
relay-more-messages = Outras mensagens para este número também chegam aqui. Toque em Pronto quando terminar.
relay-lease-ended = Nenhum código chegou em <code>{ $number }</code> antes do tempo acabar; o número voltou para o grupo. Envie /countries para pegar outro.
relay-provider-down = O provedor de SMS ({ $provider }) continua falhando: { $error }. Os códigos não são repassados até ele responder de novo; o numbot continua tentando e avisa quando ele voltar.
relay-provider-recovered = O provedor de SMS ({ $provider }) voltou a responder depois de { $failures } { $failures ->
        [one] consulta com falha
       *[other] consultas com falha
    }; os códigos voltaram a ser repassados.
log-unexpected-sender = ⚠️ remetente inesperado:
log-code = código <code>{ $code }</code>
log-no-code = uma mensagem sem código
log-holder-token = token de API { $token }
log-holder-user = usuário { $user }
