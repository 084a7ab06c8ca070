# कोड रिले: नंबर रखने वाले को भेजे गए कोड और संदेश, एडमिन को प्रोवाइडर अलर्ट, और लॉग चैट की पोस्ट।
relay-done-button = हो गया
relay-unknown-sender = अज्ञात
relay-unexpected-sender = ⚠️ अनपेक्षित भेजने वाले से ({ $sender }): इस श्रेणी के कोड कहीं और से आते हैं, इसलिए यह नकली हो सकता है। नंबर आपके पास ही रहेगा।
relay-code = <code>{ $number }</code> के लिए कोड: <code>{ $code }</code>
relay-message-without-code = <code>{ $number }</code> पर एक संदेश आया (इसमें कोई कोड नहीं मिला):
relay-more-messages = इस नंबर पर आने वाले और संदेश भी यहीं आएँगे। काम पूरा होने पर "हो गया" दबाएँ।
relay-lease-ended = समय खत्म होने से पहले <code>{ $number }</code> पर कोई कोड नहीं आया; नंबर वापस पूल में चला गया। दूसरा नंबर लेने के लिए /countries भेजें।
relay-provider-down = SMS प्रोवाइडर ({ $provider }) लगातार विफल हो रहा है: { $error }। जब तक यह फिर से जवाब नहीं देता, कोड रिले नहीं होंगे; numbot कोशिश करता रहेगा और ठीक होने पर बताएगा।
relay-provider-recovered = SMS प्रोवाइडर ({ $provider }) { $failures } { $failures ->
        [one] विफल पोल
       *[other] विफल पोल
    } के बाद फिर से जवाब दे रहा है; कोड फिर से रिले हो रहे हैं।
log-unexpected-sender = ⚠️ अनपेक्षित भेजने वाला:
log-code = कोड <code>{ $code }</code>
log-no-code = बिना कोड वाला संदेश
log-holder-token = API टोकन { $token }
log-holder-user = उपयोगकर्ता { $user }
