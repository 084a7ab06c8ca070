# Textos para administradores: subida de CSV, /csvlist, /csvdelete, /csvstats, /plugins, /audit.

## Cualquier comando de administración
admin-store-failed = Falló el almacenamiento: { $error }

## Subidas
upload-admins-only = Solo los administradores pueden subir números. El intento quedó registrado.
upload-download-failed = No se pudo descargar { $name } de Telegram ({ $error }). Envíalo de nuevo.
upload-too-big = { $name } pesa { $mb } MB; Telegram deja que los bots descarguen archivos de hasta 20 MB. Divídelo en archivos CSV más pequeños y envíalos uno a uno (o usa `numbot import` en el servidor).
upload-not-csv = { $name } no es un archivo CSV. numbot importa archivos .csv (o .txt) con un número por fila. En Excel o Google Sheets, guarda o descarga la hoja como CSV y envía ese archivo.
upload-nothing-imported = No se importó nada de { $name }: { $error }
upload-ask-category = { $n ->
    [one] { $file }: se encontró { $shown } número. ¿A qué categoría va?
   *[other] { $file }: se encontraron { $shown } números. ¿A qué categoría van?
} Responde con su nombre (por ejemplo, <i>UAE Mobile</i>) o elige una.
upload-replaces = (Reemplaza a { $file }, que esperaba su categoría.)
upload-many-categories = Su columna Range nombra { $named } categorías; un archivo va a una sola categoría, así que divídelo si deben quedar separadas.
upload-cancel-button = Cancelar subida
upload-not-kept = numbot no pudo guardar la subida mientras esperaba su categoría; envíala de nuevo con la categoría como leyenda.
upload-fetch-failed = No se pudo obtener { $name } de Telegram ({ $error }); no se importó nada. Responde de nuevo o vuelve a enviar el archivo.
upload-none-waiting = No hay ninguna subida en espera.
upload-lapsed = Esa pregunta caducó: envía el archivo de nuevo.
upload-out-of-date = Esa pregunta está desactualizada: responde a la más reciente.
upload-cancelled = { $n ->
    [one] Subida de { $name } cancelada; { $shown } número sin importar.
   *[other] Subida de { $name } cancelada; { $shown } números sin importar.
}
upload-category-gone = Esa categoría ya no existe: escribe un nombre.
upload-bad-category = { $error }. Escribe otro nombre.

## El informe de la subida
upload-report-imported = { $n ->
    [one] <b>{ $shown } número importado en { $category }</b>
   *[other] <b>{ $shown } números importados en { $category }</b>
}
upload-report-stored = Guardado como { $file }
upload-report-country = País: { $country }
upload-report-duplicates = Duplicados: { $in_file } dentro del archivo, { $in_pool } ya en la reserva
upload-report-rejected = Rechazados: { $shown }
upload-report-line = línea { $line }: { $reason }
upload-report-more = … y { $shown } más

## /csvstats
files-none-yet-send = Aún no se ha subido ningún archivo. Envía un archivo CSV para añadir números.
files-column-file = archivo
files-column-total = total
files-column-free = libres
files-column-in-use = en uso
files-column-used = uso%
files-column-taken = tomados
files-usage-title = <b>Uso por archivo</b>
files-usage-first = Los primeros { $shown } de { $total } archivos; <code>numbot files</code> en el servidor los muestra todos.
files-chart-caption = { $n ->
    [one] Números por archivo según su estado ({ $n } archivo).
   *[other] Números por archivo según su estado ({ $n } archivos).
}
files-usage-caption = Números tomados y códigos recibidos por día, { $days ->
    [one] último { $days } día
   *[other] últimos { $days } días
} (UTC). Los códigos cuentan cuando termina su uso.

## /csvlist
files-none-yet = Aún no se ha subido ningún archivo.
files-list-title = { $n ->
    [one] <b>{ $n } archivo</b>
   *[other] <b>{ $n } archivos</b>
}
files-list-entry = { $n ->
    [one] { $country } · { $shown } número (libres: { $free }) · subido el { $date } por { $admin }
   *[other] { $country } · { $shown } números (libres: { $free }) · subido el { $date } por { $admin }
}
files-list-more = … y { $n } más: <code>numbot files</code> en el servidor los muestra todos.
files-list-deleted = { $n ->
    [one] { $n } archivo eliminado se conserva en el historial.
   *[other] { $n } archivos eliminados se conservan en el historial.
}

## /csvdelete
files-none-to-delete = No hay archivos que eliminar.
files-delete-button = { $n ->
    [one] { $name } ({ $shown } número)
   *[other] { $name } ({ $shown } números)
}
files-delete-question = ¿Qué archivo quieres eliminar?
files-delete-question-first = ¿Qué archivo quieres eliminar? (Los primeros { $shown } de { $total }; `numbot delete` en el servidor elimina cualquiera.)
files-gone = Ese archivo ya no existe.
files-delete-confirm = ¿Eliminar { $name }? { $free_n ->
    [one] Su { $free } número libre sale
   *[other] Sus { $free } números libres salen
} de la reserva ahora; { $in_use_n ->
    [one] el { $in_use } en uso sale cuando se libere
   *[other] los { $in_use } en uso salen cuando se liberen
}. El historial se conserva.
files-delete-yes = Sí, eliminar
files-delete-no = No
files-deleted = { $n ->
    [one] { $name } eliminado: { $shown } número salió de la reserva.
   *[other] { $name } eliminado: { $shown } números salieron de la reserva.
}
files-deleted-toast = Eliminado.
files-nothing-deleted = No se eliminó nada.

## /plugins y /audit
info-plugins-title = <b>Plugins</b>
info-plugins-all-countries = todos los países
info-plugins-refused = rechazado { $path }: { $error }
info-audit-empty = El registro de auditoría está vacío.
info-audit-title = <b>Eventos de auditoría recientes</b>
