# El reenvío de códigos: códigos y mensajes para quien tiene el número, avisos del proveedor a los admins y publicaciones del chat de registro.
relay-done-button = Listo
relay-unknown-sender = desconocido
relay-unexpected-sender = ⚠️ De un remitente inesperado ({ $sender }): los códigos de esta categoría llegan desde otro lugar, así que podría ser falso. El número sigue siendo tuyo.
relay-code = Código para <code>{ $number }</code>: <code>{ $code }</code>
relay-message-without-code = Llegó un mensaje a <code>{ $number }</code> (sin código):
relay-more-messages = Los demás mensajes a este número también llegarán aquí. Pulsa Listo cuando termines.
relay-lease-ended = No llegó ningún código a <code>{ $number }</code> antes de que se acabara su tiempo; el número volvió al grupo. Envía /countries para pedir otro.
relay-provider-down = El proveedor de SMS ({ $provider }) sigue fallando: { $error }. Los códigos no se reenvían hasta que vuelva a responder; numbot sigue intentándolo y avisará cuando se recupere.
relay-provider-recovered = El proveedor de SMS ({ $provider }) vuelve a responder tras { $failures } { $failures ->
        [one] consulta fallida
       *[other] consultas fallidas
    }; los códigos se reenvían de nuevo.
log-unexpected-sender = ⚠️ remitente inesperado:
log-code = código <code>{ $code }</code>
log-no-code = un mensaje sin código
log-holder-token = token de API { $token }
log-holder-user = usuario { $user }
