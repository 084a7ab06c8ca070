# Textos de administración: /broadcast, /export, /approve, /ban, /unban y /token.

## /broadcast

broadcast-usage = Uso: /broadcast TEXTO. Cada usuario activo recibe TEXTO cuando lo confirmes.
broadcast-busy = Se está enviando una difusión: detenla o espera a que termine.
broadcast-records-failed = Fallaron los registros de usuarios: { $error }
broadcast-preview = 📣 A { $n ->
        [one] { $n } usuario activo
       *[other] { $n } usuarios activos
    }:
broadcast-send-button = Enviar a { $n }
broadcast-cancel-button = Cancelar
broadcast-stop-button = Detener
broadcast-not-current = Esta vista previa ya no está vigente.
broadcast-sending = Enviando.
broadcast-cancelled = Difusión cancelada: no se envió nada.
broadcast-over = Esta difusión ya terminó.
broadcast-stopping = Deteniendo.
broadcast-counts = { $delivered } entregados, { $blocked } bloquearon el bot, { $failed } fallidos
broadcast-progress = 📣 Difusión: { $sent } de { $total } enviados ({ $counts }).
broadcast-stopped = 📣 Difusión detenida tras { $sent } de { $total }: { $counts }.
broadcast-finished = 📣 Difusión terminada: { $sent } de { $total }: { $counts }.

## /export

export-usage = Uso: /export [desde] [hasta], fechas como AAAA-MM-DD (UTC, ambas incluidas). Sin fechas: todos los usos.
export-bad-date = { $date } no es una fecha: escríbela como AAAA-MM-DD (UTC).
export-no-tempdir = No se pudo escribir la exportación: no hay directorio temporal.
export-failed = La exportación falló: { $error }
export-none = Ningún uso terminó en ese periodo.
export-too-big = El archivo { $format } pesa { $mb } MB, más que los 50 MB de Telegram: exporta un periodo más corto o ejecuta `numbot export FILE` en el servidor.
export-caption = { $n ->
        [one] { $n } uso
       *[other] { $n } usos
    } ({ $format })

## /approve, /ban, /unban y los botones Aprobar / Rechazar

people-ban-usage = Uso: /ban <id de usuario> [motivo]
people-unban-usage = Uso: /unban <id de usuario>
people-admin-unbannable = Los administradores no se pueden bloquear; primero quítalos de la configuración.
people-records-unreadable = Ahora no se pueden leer los registros de usuarios.
people-records-unwritable = Ahora no se pueden guardar los registros de usuarios; no cambió nada.
people-nobody-waiting = Nadie espera aprobación.
people-waiting = { $n ->
        [one] { $n } usuario espera
       *[other] { $n } usuarios esperan
    } aprobación:
people-approve-button = Aprobar a { $name } ({ $id })
people-reject-button = Rechazar
people-approved-toast = Usuario { $id } aprobado.
people-rejected-toast = Usuario { $id } rechazado y bloqueado.
people-is-banned = El usuario { $id } está bloqueado: /unban { $id } quita el bloqueo.
people-has-access = El usuario { $id } ya tiene acceso.
people-not-asked = El usuario { $id } no ha pedido acceso.
people-banned = { $name } ({ $id }) bloqueado.
people-banned-released = { $name } ({ $id }) bloqueado; su número volvió a quedar libre.
people-approved = { $name } ({ $id }) ya puede tomar números.
# Al usuario afectado, en su idioma.
people-you-are-banned = Un administrador te ha bloqueado en este bot.
people-you-have-access = Un administrador te dio acceso: usa /countries para obtener un número.

## /token (HTML: conserva las etiquetas)

token-usage =
    Uso:
    /token create NOMBRE [--max-uses N] [--numbers-per-window N] [--categories A,B]
    /token list
    /token revoke NOMBRE
token-needs-value = { $flag } necesita un valor
token-takes-number = { $flag } admite un número del 1 al { $max }
token-unknown-option = opción desconocida { $option }
token-made =
    Token <b>{ $name }</b> creado. Su secreto, que se muestra solo esta vez (numbot guarda solo su hash):
    <code>{ $secret }</code>
    Los clientes lo envían como <code>Authorization: Bearer …</code>.
    Este mensaje se borra solo en 10 minutos, o al momento si pulsas el botón: copia el secreto ahora.
token-secret-delete-button = Copiado: borrar este mensaje
token-secret-deleted = Borrado: el secreto ya no está en este chat.
token-exists = Ya existe un token llamado <b>{ $name }</b>.
token-store-failed = Ahora no se pudo guardar el token; no cambió nada.
token-unreadable = Ahora no se pueden leer los tokens.
token-none = Aún no hay tokens de API: /token create NOMBRE
token-list-title = <b>Tokens de API</b>
token-list-line = { $name } · { $max } a la vez · { $categories } · { $state }
token-live = activo
token-revoked-at = revocado el { $at }
token-all-categories = todas las categorías
token-revoked = Token <b>{ $name }</b> revocado.
token-no-live = No hay ningún token activo llamado <b>{ $name }</b>.
token-revoke-failed = Ahora no se pudo revocar el token; no cambió nada.
