# O que todo usuário vê: /start, /help, /countries, um número e seus botões, /stats, /history; acesso e recusas (access-) e respostas da árvore de handlers (bot-).

## /start e /help
user-welcome = Boas-vindas ao numbot. Ele distribui números de telefone do estoque da sua equipe para testes de verificação por SMS.
user-help-intro = O numbot te dá um número de telefone do estoque da equipe; use-o numa verificação e depois toque em Pronto (Cancelar devolve sem usar; Trocar número te dá outro).
user-help-admins = Administradores:
user-help-csv = Envie um arquivo CSV para adicionar números; a legenda dele (ou a coluna Range) indica a categoria.
user-help-limit = Você pode pegar { $max ->
    [one] { $max } número
   *[other] { $max } números
} a cada { $window }; um por vez.

## /countries
user-page-prev = « Anterior
user-page-next = Próxima »
user-none-available = Não há números disponíveis agora. Um administrador precisa enviar alguns primeiro.
user-pick-category = Escolha uma categoria:
user-category-gone = Essa categoria não existe mais. Envie /countries de novo.
user-category-empty = Os números de { $category } acabaram por enquanto. Escolha outra categoria: /countries

## Um número e seus botões
user-button-done = Pronto
user-button-change = Trocar número
user-button-cancel = Cancelar
user-number =
    Seu número: <code>{ $number }</code>
    { $display }
    País: { $country } · Categoria: { $category }
    Do arquivo: { $file }
    Ele é seu até { $until }. { $waiting }
user-number-relayed = Use agora: as mensagens para ele chegam aqui. Toque em Pronto quando terminar ou em Cancelar para devolvê-lo sem usar.
user-number-waiting = Toque em Pronto quando terminar ou em Cancelar para devolvê-lo sem usar; Trocar número te dá outro.
user-limited = Você pegou { $max ->
    [one] { $max } número
   *[other] { $max } números
} no último período de { $window }. Você poderá pegar outro em { $wait }.
user-already-holding = Você já está com <code>{ $number }</code>. Um número por vez: toque em Pronto quando terminar ou em Trocar número para pegar outro.
user-changed = Aqui está outro número.
user-change-none = Não há outro número de { $category } livre agora; você fica com este.
user-holding-none = Você não está com nenhum número agora.
user-holding-none-countries = Você não está com nenhum número agora: use /countries.
user-released = <code>{ $number }</code> liberado. Envie /countries quando precisar de outro número.
user-released-toast = Número liberado.
user-done = Você terminou com <code>{ $number }</code>. Envie /countries quando precisar de outro número.
user-done-toast = Você terminou com { $number }.
user-store-failed = Algo deu errado do lado do numbot; nada foi alterado. Os administradores podem ver os detalhes no log.

## /stats
user-stats-available = <b>Disponíveis agora</b>
user-stats-empty = Nenhum número enviado ainda.
user-stats-more = … e mais { $n ->
    [one] { $n } categoria
   *[other] { $n } categorias
}: /countries mostra todas
user-stats-you =
    <b>Você</b>
    Números pegos: { $taken }
user-stats-holding = Com você: <code>{ $number }</code> ({ $category }) até { $until }
user-stats-holding-none = Você não está com nenhum número agora

## /history
user-history-now =
    <b>Agora</b>
    <code>{ $number }</code> · { $category } · desde { $since }
user-history-none = Nenhum uso dos seus números terminou ainda.
user-history-last = <b>Seus últimos números ({ $n })</b>
user-codes-none = nenhum código
user-codes = { $n ->
    [one] { $n } código
   *[other] { $n } códigos
}
user-ended-completed = concluído
user-ended-cancelled = cancelado
user-ended-changed = trocado
user-ended-expired = expirado

## Acesso
access-records-unavailable = O numbot não consegue ler os registros de usuários agora. Tente de novo em um minuto.
access-banned = Você foi banido deste bot. Fale com um administrador se isso for um engano.
access-banned-reason = Você foi banido deste bot. Motivo: { $reason }. Fale com um administrador se isso for um engano.
access-new-user = Novo usuário pede acesso: { $name } (id <code>{ $id }</code>).
access-button-approve = Aprovar
access-button-reject = Recusar e banir
access-waiting-approval = Seu pedido de acesso está aguardando a aprovação de um administrador. Você vai receber uma mensagem aqui quando ele for aprovado.
access-join-channel = O numbot é para membros de { $channel }. Entre e tente de novo.
access-join-team-channel = O numbot é para membros do canal da equipe. Entre nele e tente de novo.
access-channel-check-failed = O numbot não consegue verificar a participação no canal agora (o bot é administrador do canal?). Tente mais tarde.
access-describe-admin = Você é administrador: envie um arquivo CSV para adicionar números e /help para ver os comandos.
access-describe-pending = O acesso precisa da aprovação de um administrador: seu pedido foi enviado. Você vai receber uma mensagem aqui quando ele for aprovado.
access-describe-channel = O acesso é para membros do canal da equipe: /countries verifica se você participa.
access-describe-open = Você tem acesso: use /countries para pegar um número.

## Respostas da árvore de handlers
bot-too-fast = Você está enviando rápido demais. Espere { $wait } e tente de novo.
bot-too-fast-toast = Rápido demais: espere { $wait }.
bot-admin-only-command = Este comando é só para administradores. A tentativa foi registrada.
bot-unknown-command = Comando desconhecido /{ $name }. /help mostra o que eu sei fazer.
bot-hint = Envie /countries para pegar um número, ou /help.
bot-admin-only-button = Este botão é só para administradores.
bot-button-stale = Este botão não é mais válido.
