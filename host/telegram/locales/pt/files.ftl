# Textos para administradores: envio de CSV, /csvlist, /csvdelete, /csvstats, /plugins, /audit.

## Qualquer comando de administrador
admin-store-failed = O armazenamento falhou: { $error }

## Envios
upload-admins-only = Só administradores podem enviar números. A tentativa foi registrada.
upload-download-failed = Não foi possível baixar { $name } do Telegram ({ $error }). Envie de novo.
upload-too-big = { $name } tem { $mb } MB; o Telegram só deixa bots baixarem arquivos de até 20 MB. Divida-o em arquivos CSV menores e envie um por um (ou use `numbot import` no servidor).
upload-not-csv = { $name } não é um arquivo CSV. O numbot importa arquivos .csv (ou .txt) com um número por linha. No Excel ou no Google Planilhas, salve ou baixe a planilha como CSV e envie esse arquivo.
upload-nothing-imported = Nada foi importado de { $name }: { $error }
upload-ask-category = { $n ->
    [one] { $file }: { $shown } número encontrado. Em qual categoria ele deve entrar?
   *[other] { $file }: { $shown } números encontrados. Em qual categoria eles devem entrar?
} Responda com o nome dela (por exemplo, <i>UAE Mobile</i>) ou escolha uma.
upload-replaces = (Isto substitui { $file }, que aguardava a categoria.)
upload-many-categories = A coluna Range dele cita { $named } categorias; um arquivo vai para uma só categoria, então divida-o se elas devem ficar separadas.
upload-cancel-button = Cancelar envio
upload-not-kept = O numbot não conseguiu guardar o envio enquanto aguardava a categoria; envie de novo com a categoria na legenda.
upload-fetch-failed = Não foi possível obter { $name } do Telegram ({ $error }); nada foi importado. Responda de novo ou envie o arquivo outra vez.
upload-none-waiting = Nenhum envio está aguardando.
upload-lapsed = Essa pergunta expirou: envie o arquivo de novo.
upload-out-of-date = Essa pergunta está desatualizada: responda à mais recente.
upload-cancelled = { $n ->
    [one] Envio de { $name } cancelado; { $shown } número não importado.
   *[other] Envio de { $name } cancelado; { $shown } números não importados.
}
upload-category-gone = Essa categoria não existe mais: digite um nome.
upload-bad-category = { $error }. Digite outro nome.

## O relatório do envio
upload-report-imported = { $n ->
    [one] <b>{ $shown } número importado em { $category }</b>
   *[other] <b>{ $shown } números importados em { $category }</b>
}
upload-report-stored = Salvo como { $file }
upload-report-country = País: { $country }
upload-report-duplicates = Duplicados: { $in_file } dentro do arquivo, { $in_pool } já na reserva
upload-report-rejected = Rejeitados: { $shown }
upload-report-line = linha { $line }: { $reason }
upload-report-more = … e mais { $shown }

## /csvstats
files-none-yet-send = Nenhum arquivo enviado ainda. Envie um arquivo CSV para adicionar números.
files-column-file = arquivo
files-column-total = total
files-column-free = livres
files-column-in-use = em uso
files-column-used = uso%
files-column-taken = pegos
files-usage-title = <b>Uso por arquivo</b>
files-usage-first = Os primeiros { $shown } de { $total } arquivos; <code>numbot files</code> no servidor lista todos.
files-chart-caption = { $n ->
    [one] Números por arquivo e estado ({ $n } arquivo).
   *[other] Números por arquivo e estado ({ $n } arquivos).
}
files-usage-caption = Números pegos e códigos recebidos por dia, { $days ->
    [one] último { $days } dia
   *[other] últimos { $days } dias
} (UTC). Os códigos contam quando o uso termina.

## /csvlist
files-none-yet = Nenhum arquivo enviado ainda.
files-list-title = { $n ->
    [one] <b>{ $n } arquivo</b>
   *[other] <b>{ $n } arquivos</b>
}
files-list-entry = { $n ->
    [one] { $country } · { $shown } número (livres: { $free }) · enviado em { $date } por { $admin }
   *[other] { $country } · { $shown } números (livres: { $free }) · enviado em { $date } por { $admin }
}
files-list-more = … e mais { $n }: <code>numbot files</code> no servidor lista todos.
files-list-deleted = { $n ->
    [one] { $n } arquivo excluído continua no histórico.
   *[other] { $n } arquivos excluídos continuam no histórico.
}

## /csvdelete
files-none-to-delete = Nenhum arquivo para excluir.
files-delete-button = { $n ->
    [one] { $name } ({ $shown } número)
   *[other] { $name } ({ $shown } números)
}
files-delete-question = Qual arquivo deve ser excluído?
files-delete-question-first = Qual arquivo deve ser excluído? (Os primeiros { $shown } de { $total }; `numbot delete` no servidor exclui qualquer um.)
files-gone = Esse arquivo já foi excluído.
files-delete-confirm = Excluir { $name }? { $free_n ->
    [one] Seu { $free } número livre sai
   *[other] Seus { $free } números livres saem
} da reserva agora; { $in_use_n ->
    [one] o { $in_use } em uso sai quando for liberado
   *[other] os { $in_use } em uso saem quando forem liberados
}. O histórico é mantido.
files-delete-yes = Sim, excluir
files-delete-no = Não
files-deleted = { $n ->
    [one] { $name } excluído: { $shown } número saiu da reserva.
   *[other] { $name } excluído: { $shown } números saíram da reserva.
}
files-deleted-toast = Excluído.
files-nothing-deleted = Nada foi excluído.

## /plugins e /audit
info-plugins-title = <b>Plugins</b>
info-plugins-all-countries = todos os países
info-plugins-refused = recusado { $path }: { $error }
info-audit-empty = O registro de auditoria está vazio.
info-audit-title = <b>Eventos de auditoria recentes</b>
