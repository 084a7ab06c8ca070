# एडमिन के टेक्स्ट: /broadcast, /export, /approve, /ban, /unban और /token.

## /broadcast

broadcast-usage = उपयोग: /broadcast TEXT. आपकी पुष्टि के बाद हर सक्रिय उपयोगकर्ता को TEXT मिलेगा।
broadcast-busy = एक ब्रॉडकास्ट भेजा जा रहा है: उसे रोकें, या उसके ख़त्म होने तक इंतज़ार करें।
broadcast-records-failed = उपयोगकर्ता रिकॉर्ड में गड़बड़ी: { $error }
broadcast-preview = 📣 { $n ->
        [one] { $n } सक्रिय उपयोगकर्ता को
       *[other] { $n } सक्रिय उपयोगकर्ताओं को
    }:
broadcast-send-button = { $n } को भेजें
broadcast-cancel-button = रद्द करें
broadcast-stop-button = रोकें
broadcast-not-current = यह प्रीव्यू अब मान्य नहीं है।
broadcast-sending = भेजा जा रहा है।
broadcast-cancelled = ब्रॉडकास्ट रद्द: कुछ नहीं भेजा गया।
broadcast-over = यह ब्रॉडकास्ट ख़त्म हो चुका है।
broadcast-stopping = रोका जा रहा है।
broadcast-counts = { $delivered } पहुँचे, { $blocked } ने बॉट ब्लॉक किया, { $failed } विफल
broadcast-progress = 📣 ब्रॉडकास्ट: { $total } में से { $sent } भेजे गए ({ $counts })।
broadcast-stopped = 📣 ब्रॉडकास्ट { $total } में से { $sent } के बाद रोका गया: { $counts }।
broadcast-finished = 📣 ब्रॉडकास्ट पूरा: { $total } में से { $sent }: { $counts }।

## /export

export-usage = उपयोग: /export [से] [तक], तारीख़ें YYYY-MM-DD के रूप में (UTC, दोनों दिन शामिल)। बिना तारीख़: सारे उपयोग।
export-bad-date = { $date } तारीख़ नहीं है: इसे YYYY-MM-DD के रूप में लिखें (UTC)।
export-no-tempdir = एक्सपोर्ट लिखा नहीं जा सका: कोई अस्थायी डायरेक्टरी नहीं है।
export-failed = एक्सपोर्ट विफल: { $error }
export-none = उस अवधि में कोई उपयोग ख़त्म नहीं हुआ।
export-too-big = { $format } फ़ाइल { $mb } MB की है, Telegram की 50 MB सीमा से ज़्यादा: छोटी अवधि एक्सपोर्ट करें, या सर्वर पर `numbot export FILE` चलाएँ।
export-caption = { $n } उपयोग ({ $format })

## /approve, /ban, /unban और मंज़ूर / अस्वीकार बटन

people-ban-usage = उपयोग: /ban <user id> [कारण]
people-unban-usage = उपयोग: /unban <user id>
people-admin-unbannable = एडमिन को बैन नहीं किया जा सकता; पहले उन्हें कॉन्फ़िगरेशन से हटाएँ।
people-records-unreadable = अभी उपयोगकर्ता रिकॉर्ड पढ़े नहीं जा सकते।
people-records-unwritable = अभी उपयोगकर्ता रिकॉर्ड लिखे नहीं जा सकते; कुछ नहीं बदला।
people-nobody-waiting = कोई मंज़ूरी का इंतज़ार नहीं कर रहा।
people-waiting = { $n ->
        [one] { $n } उपयोगकर्ता मंज़ूरी का इंतज़ार कर रहा है:
       *[other] { $n } उपयोगकर्ता मंज़ूरी का इंतज़ार कर रहे हैं:
    }
people-approve-button = { $name } ({ $id }) को मंज़ूरी दें
people-reject-button = अस्वीकार करें
people-approved-toast = उपयोगकर्ता { $id } को मंज़ूरी दी गई।
people-rejected-toast = उपयोगकर्ता { $id } अस्वीकार और बैन किया गया।
people-is-banned = उपयोगकर्ता { $id } बैन है: /unban { $id } से बैन हटता है।
people-has-access = उपयोगकर्ता { $id } के पास पहले से पहुँच है।
people-not-asked = उपयोगकर्ता { $id } ने पहुँच नहीं माँगी है।
people-banned = { $name } ({ $id }) को बैन किया गया।
people-banned-released = { $name } ({ $id }) को बैन किया गया; उनका नंबर पूल में वापस चला गया।
people-approved = { $name } ({ $id }) अब नंबर ले सकते हैं।
# संबंधित उपयोगकर्ता को, उनकी भाषा में।
people-you-are-banned = एक एडमिन ने आपको इस बॉट से बैन कर दिया है।
people-you-have-access = एक एडमिन ने आपको पहुँच दी है: नंबर पाने के लिए /countries इस्तेमाल करें।

## /token (HTML: टैग वैसे ही रखें)

token-usage =
    उपयोग:
    /token create NAME [--max-uses N] [--numbers-per-window N] [--categories A,B]
    /token list
    /token revoke NAME
token-needs-value = { $flag } को एक मान चाहिए
token-takes-number = { $flag } में 1 से { $max } तक की संख्या दें
token-unknown-option = अज्ञात विकल्प { $option }
token-made =
    टोकन <b>{ $name }</b> बन गया। इसका सीक्रेट, जो सिर्फ़ इसी बार दिखेगा (numbot सिर्फ़ इसका हैश रखता है):
    <code>{ $secret }</code>
    क्लाइंट इसे <code>Authorization: Bearer …</code> के रूप में भेजते हैं।
    यह संदेश 10 मिनट में अपने आप मिट जाएगा, या बटन दबाते ही: सीक्रेट अभी कॉपी कर लें।
token-secret-delete-button = कॉपी कर लिया: यह संदेश मिटाएँ
token-secret-deleted = मिटा दिया: सीक्रेट अब इस चैट में नहीं है।
token-exists = <b>{ $name }</b> नाम का टोकन पहले से मौजूद है।
token-store-failed = अभी टोकन सहेजा नहीं जा सका; कुछ नहीं बदला।
token-unreadable = अभी टोकन पढ़े नहीं जा सकते।
token-none = अभी कोई API टोकन नहीं: /token create NAME
token-list-title = <b>API टोकन</b>
token-list-line = { $name } · एक साथ { $max } · { $categories } · { $state }
token-live = सक्रिय
token-revoked-at = { $at } को रद्द
token-all-categories = सभी श्रेणियाँ
token-revoked = टोकन <b>{ $name }</b> रद्द किया गया।
token-no-live = <b>{ $name }</b> नाम का कोई सक्रिय टोकन नहीं है।
token-revoke-failed = अभी टोकन रद्द नहीं किया जा सका; कुछ नहीं बदला।
