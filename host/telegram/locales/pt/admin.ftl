# Textos de administração: /broadcast, /export, /approve, /ban, /unban e /token.

## /broadcast

broadcast-usage = Uso: /broadcast TEXTO. Todos os usuários ativos recebem o TEXTO depois que você confirmar.
broadcast-busy = Uma transmissão está sendo enviada: pare-a ou espere terminar.
broadcast-records-failed = Os registros de usuários falharam: { $error }
broadcast-preview = 📣 Para { $n ->
        [one] { $n } usuário ativo
       *[other] { $n } usuários ativos
    }:
broadcast-send-button = Enviar para { $n }
broadcast-cancel-button = Cancelar
broadcast-stop-button = Parar
broadcast-not-current = Esta prévia não vale mais.
broadcast-sending = Enviando.
broadcast-cancelled = Transmissão cancelada: nada foi enviado.
broadcast-over = Esta transmissão já terminou.
broadcast-stopping = Parando.
broadcast-counts = { $delivered } entregues, { $blocked } bloquearam o bot, { $failed } falharam
broadcast-progress = 📣 Transmissão: { $sent } de { $total } enviadas ({ $counts }).
broadcast-stopped = 📣 Transmissão parada após { $sent } de { $total }: { $counts }.
broadcast-finished = 📣 Transmissão concluída: { $sent } de { $total }: { $counts }.

## /export

export-usage = Uso: /export [de] [até], datas como AAAA-MM-DD (UTC, ambas incluídas). Sem datas: todos os usos.
export-bad-date = { $date } não é uma data: escreva como AAAA-MM-DD (UTC).
export-no-tempdir = Não foi possível gravar a exportação: não há diretório temporário.
export-failed = A exportação falhou: { $error }
export-none = Nenhum uso terminou nesse período.
export-too-big = O arquivo { $format } tem { $mb } MB, acima dos 50 MB do Telegram: exporte um período menor ou rode `numbot export FILE` no servidor.
export-caption = { $n ->
        [one] { $n } uso
       *[other] { $n } usos
    } ({ $format })

## /approve, /ban, /unban e os botões Aprovar / Recusar

people-ban-usage = Uso: /ban <id do usuário> [motivo]
people-unban-usage = Uso: /unban <id do usuário>
people-admin-unbannable = Admins não podem ser banidos; primeiro remova-os da configuração.
people-records-unreadable = Não dá para ler os registros de usuários agora.
people-records-unwritable = Não dá para gravar os registros de usuários agora; nada mudou.
people-nobody-waiting = Ninguém está aguardando aprovação.
people-waiting = { $n ->
        [one] { $n } usuário aguarda
       *[other] { $n } usuários aguardam
    } aprovação:
people-approve-button = Aprovar { $name } ({ $id })
people-reject-button = Recusar
people-approved-toast = Usuário { $id } aprovado.
people-rejected-toast = Usuário { $id } recusado e banido.
people-is-banned = O usuário { $id } está banido: /unban { $id } remove o banimento.
people-has-access = O usuário { $id } já tem acesso.
people-not-asked = O usuário { $id } não pediu acesso.
people-banned = { $name } ({ $id }) banido.
people-banned-released = { $name } ({ $id }) banido; o número dele voltou para o pool.
people-approved = { $name } ({ $id }) já pode pegar números.
# Para o usuário em questão, no idioma dele.
people-you-are-banned = Você foi banido deste bot por um admin.
people-you-have-access = Um admin liberou seu acesso: use /countries para pegar um número.

## /token (HTML: mantenha as tags)

token-usage =
    Uso:
    /token create NOME [--max-uses N] [--numbers-per-window N] [--categories A,B]
    /token list
    /token revoke NOME
token-needs-value = { $flag } precisa de um valor
token-takes-number = { $flag } aceita um número de 1 a { $max }
token-unknown-option = opção desconhecida { $option }
token-made =
    Token <b>{ $name }</b> criado. O segredo dele, mostrado só desta vez (o numbot guarda apenas o hash):
    <code>{ $secret }</code>
    Os clientes o enviam como <code>Authorization: Bearer …</code>.
    Esta mensagem se apaga em 10 minutos, ou na hora se você tocar no botão: copie o segredo agora.
token-secret-delete-button = Copiei: apagar esta mensagem
token-secret-deleted = Apagada: o segredo não está mais neste chat.
token-exists = Já existe um token chamado <b>{ $name }</b>.
token-store-failed = Não foi possível salvar o token agora; nada mudou.
token-unreadable = Não dá para ler os tokens agora.
token-none = Ainda não há tokens de API: /token create NOME
token-list-title = <b>Tokens de API</b>
token-list-line = { $name } · { $max } por vez · { $categories } · { $state }
token-live = ativo
token-revoked-at = revogado em { $at }
token-all-categories = todas as categorias
token-revoked = Token <b>{ $name }</b> revogado.
token-no-live = Nenhum token ativo chamado <b>{ $name }</b>.
token-revoke-failed = Não foi possível revogar o token agora; nada mudou.
