# Lo que ve cada usuario: /start, /help, /countries, un número y sus botones, /stats, /history; acceso y rechazos (access-) y respuestas del árbol de handlers (bot-).

## /start y /help
user-welcome = Te damos la bienvenida a numbot. Reparte números de teléfono del fondo de tu equipo para pruebas de verificación por SMS.
user-help-intro = numbot te da un número de teléfono del fondo del equipo; úsalo para una verificación y luego pulsa Listo (Cancelar lo devuelve sin usar; Cambiar número te da otro).
user-help-admins = Administradores:
user-help-csv = Envía un archivo CSV para añadir números; su pie de foto (o su columna Range) indica la categoría.
user-help-limit = Puedes tomar { $max ->
    [one] { $max } número
   *[other] { $max } números
} cada { $window }; de uno en uno.

## /countries
user-page-prev = « Anterior
user-page-next = Siguiente »
user-none-available = No hay números disponibles ahora mismo. Primero un administrador tiene que subir algunos.
user-pick-category = Elige una categoría:
user-category-gone = Esa categoría ya no existe. Envía /countries de nuevo.
user-category-empty = Ya no quedan números de { $category } por ahora. Elige otra categoría: /countries

## Un número y sus botones
user-button-done = Listo
user-button-change = Cambiar número
user-button-cancel = Cancelar
user-number =
    Tu número: <code>{ $number }</code>
    { $display }
    País: { $country } · Categoría: { $category }
    Del archivo: { $file }
    Es tuyo hasta las { $until }. { $waiting }
user-number-relayed = Úsalo ya: los mensajes que reciba llegarán aquí. Pulsa Listo cuando termines o Cancelar para devolverlo sin usar.
user-number-waiting = Pulsa Listo cuando termines o Cancelar para devolverlo sin usar; Cambiar número te da otro.
user-limited = Has tomado { $max ->
    [one] { $max } número
   *[other] { $max } números
} en el último periodo de { $window }. Podrás tomar otro dentro de { $wait }.
user-already-holding = Ya tienes <code>{ $number }</code>. Un número a la vez: pulsa Listo cuando termines o Cambiar número para obtener otro.
user-changed = Aquí tienes otro número.
user-change-none = No hay otro número de { $category } libre ahora; te quedas con este.
user-holding-none = Ahora no tienes ningún número.
user-holding-none-countries = Ahora no tienes ningún número: usa /countries.
user-released = <code>{ $number }</code> liberado. Envía /countries cuando necesites otro número.
user-released-toast = Número liberado.
user-done = Terminaste con <code>{ $number }</code>. Envía /countries cuando necesites otro número.
user-done-toast = Terminaste con { $number }.
user-store-failed = Algo salió mal en numbot; no se cambió nada. Los administradores pueden ver los detalles en el registro.

## /stats
user-stats-available = <b>Disponibles ahora</b>
user-stats-empty = Todavía no se han subido números.
user-stats-more = … y { $n ->
    [one] { $n } categoría más
   *[other] { $n } categorías más
}: /countries las muestra todas
user-stats-you =
    <b>Tú</b>
    Números tomados: { $taken }
user-stats-holding = Tienes <code>{ $number }</code> ({ $category }) hasta las { $until }
user-stats-holding-none = Ahora no tienes ningún número

## /history
user-history-now =
    <b>Ahora</b>
    <code>{ $number }</code> · { $category } · desde { $since }
user-history-none = Aún no ha terminado ningún uso de tus números.
user-history-last = <b>Tus últimos números ({ $n })</b>
user-codes-none = sin código
user-codes = { $n ->
    [one] { $n } código
   *[other] { $n } códigos
}
user-ended-completed = completado
user-ended-cancelled = cancelado
user-ended-changed = cambiado
user-ended-expired = caducado

## Acceso
access-records-unavailable = numbot no puede leer sus registros de usuarios ahora mismo. Inténtalo de nuevo en un minuto.
access-banned = Tienes prohibido el acceso a este bot. Contacta con un administrador si es un error.
access-banned-reason = Tienes prohibido el acceso a este bot. Motivo: { $reason }. Contacta con un administrador si es un error.
access-new-user = Un usuario nuevo pide acceso: { $name } (id <code>{ $id }</code>).
access-button-approve = Aprobar
access-button-reject = Rechazar y bloquear
access-waiting-approval = Tu solicitud de acceso está esperando la aprobación de un administrador. Recibirás un mensaje aquí cuando se apruebe.
access-join-channel = numbot es para miembros de { $channel }. Únete y vuelve a intentarlo.
access-join-team-channel = numbot es para miembros del canal del equipo. Únete y vuelve a intentarlo.
access-channel-check-failed = numbot no puede comprobar la membresía del canal ahora mismo (¿es el bot administrador del canal?). Inténtalo más tarde.
access-describe-admin = Eres administrador: envía un archivo CSV para añadir números y /help para ver los comandos.
access-describe-pending = El acceso necesita la aprobación de un administrador: tu solicitud ya se envió. Recibirás un mensaje aquí cuando se apruebe.
access-describe-channel = El acceso es para miembros del canal del equipo: /countries comprueba tu membresía.
access-describe-open = Tienes acceso: usa /countries para obtener un número.

## Respuestas del árbol de handlers
bot-too-fast = Estás enviando demasiado rápido. Espera { $wait } y vuelve a intentarlo.
bot-too-fast-toast = Demasiado rápido: espera { $wait }.
bot-admin-only-command = Este comando es solo para administradores. El intento quedó registrado.
bot-unknown-command = Comando desconocido /{ $name }. /help muestra lo que puedo hacer.
bot-hint = Envía /countries para obtener un número, o /help.
bot-admin-only-button = Este botón es solo para administradores.
bot-button-stale = Este botón ya no es válido.
