# हर उपयोगकर्ता को दिखने वाले संदेश: /start, /help, /countries, नंबर और उसके बटन, /stats, /history; पहुँच और इनकार (access-), और हैंडलर ट्री के जवाब (bot-)।

## /start और /help
user-welcome = numbot में आपका स्वागत है। यह SMS सत्यापन जाँच के लिए आपकी टीम के पूल से फ़ोन नंबर देता है।
user-help-intro = numbot आपको टीम के पूल से एक फ़ोन नंबर देता है; उसे सत्यापन के लिए इस्तेमाल करें, फिर "हो गया" दबाएँ ("रद्द करें" उसे बिना इस्तेमाल लौटा देता है; "नंबर बदलें" दूसरा नंबर देता है)।
user-help-admins = एडमिन के लिए:
user-help-csv = नंबर जोड़ने के लिए CSV फ़ाइल भेजें; उसका कैप्शन (या उसका Range कॉलम) श्रेणी तय करता है।
user-help-limit = आप हर { $window } में { $max } नंबर ले सकते हैं; एक बार में एक।

## /countries
user-page-prev = « पिछला
user-page-next = अगला »
user-none-available = अभी कोई नंबर उपलब्ध नहीं है। पहले किसी एडमिन को कुछ नंबर अपलोड करने होंगे।
user-pick-category = एक श्रेणी चुनें:
user-category-gone = वह श्रेणी अब नहीं है। /countries फिर से भेजें।
user-category-empty = अभी { $category } के नंबर खत्म हो गए हैं। दूसरी श्रेणी चुनें: /countries

## नंबर और उसके बटन
user-button-done = हो गया
user-button-change = नंबर बदलें
user-button-cancel = रद्द करें
user-number =
    आपका नंबर: <code>{ $number }</code>
    { $display }
    देश: { $country } · श्रेणी: { $category }
    फ़ाइल: { $file }
    यह { $until } तक आपका है। { $waiting }
user-number-relayed = इसे अभी इस्तेमाल करें: इस पर आने वाले संदेश यहीं भेजे जाएँगे। काम पूरा होने पर "हो गया" दबाएँ, बिना इस्तेमाल लौटाने के लिए "रद्द करें"।
user-number-waiting = काम पूरा होने पर "हो गया" दबाएँ, बिना इस्तेमाल लौटाने के लिए "रद्द करें"; "नंबर बदलें" दूसरा नंबर देता है।
user-limited = आप पिछले { $window } में { $max } नंबर ले चुके हैं। अगला नंबर आप { $wait } बाद ले सकते हैं।
user-already-holding = आपके पास पहले से <code>{ $number }</code> है। एक बार में एक नंबर: काम पूरा होने पर "हो गया" दबाएँ, या दूसरे के लिए "नंबर बदलें"।
user-changed = यह रहा दूसरा नंबर।
user-change-none = अभी { $category } का कोई और नंबर खाली नहीं है; यही नंबर आपके पास रहेगा।
user-holding-none = अभी आपके पास कोई नंबर नहीं है।
user-holding-none-countries = अभी आपके पास कोई नंबर नहीं है: /countries इस्तेमाल करें।
user-released = <code>{ $number }</code> छोड़ दिया गया। जब दूसरा नंबर चाहिए, /countries भेजें।
user-released-toast = नंबर छोड़ दिया गया।
user-done = <code>{ $number }</code> का काम पूरा हुआ। जब दूसरा नंबर चाहिए, /countries भेजें।
user-done-toast = { $number } का काम पूरा हुआ।
user-store-failed = numbot की तरफ़ कुछ गड़बड़ हो गई; कुछ भी नहीं बदला। एडमिन लॉग में विवरण देख सकते हैं।

## /stats
user-stats-available = <b>अभी उपलब्ध</b>
user-stats-empty = अभी तक कोई नंबर अपलोड नहीं हुआ।
user-stats-more = … और { $n ->
    [one] { $n } श्रेणी
   *[other] { $n } श्रेणियाँ
}: /countries सभी दिखाता है
user-stats-you =
    <b>आप</b>
    लिए गए नंबर: { $taken }
user-stats-holding = आपके पास <code>{ $number }</code> ({ $category }) { $until } तक
user-stats-holding-none = अभी आपके पास कोई नंबर नहीं है

## /history
user-history-now =
    <b>अभी</b>
    <code>{ $number }</code> · { $category } · { $since } से
user-history-none = आपके किसी नंबर का इस्तेमाल अभी तक पूरा नहीं हुआ।
user-history-last = <b>आपके पिछले नंबर ({ $n })</b>
user-codes-none = कोई कोड नहीं
user-codes = { $n ->
    [one] { $n } कोड
   *[other] { $n } कोड
}
user-ended-completed = पूरा हुआ
user-ended-cancelled = रद्द हुआ
user-ended-changed = बदला गया
user-ended-expired = समय खत्म

## पहुँच
access-records-unavailable = numbot अभी उपयोगकर्ता रिकॉर्ड नहीं पढ़ पा रहा है। एक मिनट बाद फिर कोशिश करें।
access-banned = आपको इस बॉट से प्रतिबंधित किया गया है। अगर यह गलती है, तो किसी एडमिन से संपर्क करें।
access-banned-reason = आपको इस बॉट से प्रतिबंधित किया गया है। कारण: { $reason }। अगर यह गलती है, तो किसी एडमिन से संपर्क करें।
access-new-user = नया उपयोगकर्ता पहुँच माँग रहा है: { $name } (id <code>{ $id }</code>)।
access-button-approve = मंज़ूर करें
access-button-reject = अस्वीकार करें और प्रतिबंधित करें
access-waiting-approval = आपका पहुँच अनुरोध एडमिन की मंज़ूरी का इंतज़ार कर रहा है। मंज़ूरी मिलते ही आपको यहाँ संदेश मिलेगा।
access-join-channel = numbot { $channel } के सदस्यों के लिए है। उससे जुड़ें, फिर दोबारा कोशिश करें।
access-join-team-channel = numbot टीम चैनल के सदस्यों के लिए है। उससे जुड़ें, फिर दोबारा कोशिश करें।
access-channel-check-failed = numbot अभी चैनल की सदस्यता जाँच नहीं पा रहा है (क्या बॉट चैनल का एडमिन है?)। बाद में कोशिश करें।
access-describe-admin = आप एडमिन हैं: नंबर जोड़ने के लिए CSV फ़ाइल भेजें, कमांड के लिए /help।
access-describe-pending = पहुँच के लिए एडमिन की मंज़ूरी चाहिए: आपका अनुरोध भेज दिया गया है। मंज़ूरी मिलते ही आपको यहाँ संदेश मिलेगा।
access-describe-channel = पहुँच टीम चैनल के सदस्यों के लिए है: /countries आपकी सदस्यता जाँचता है।
access-describe-open = आपके पास पहुँच है: नंबर पाने के लिए /countries इस्तेमाल करें।

## हैंडलर ट्री के जवाब
bot-too-fast = आप बहुत तेज़ी से भेज रहे हैं। { $wait } रुकें और फिर कोशिश करें।
bot-too-fast-toast = बहुत तेज़: { $wait } रुकें।
bot-admin-only-command = यह कमांड सिर्फ़ एडमिन के लिए है। इस कोशिश को लॉग कर लिया गया है।
bot-unknown-command = अनजान कमांड /{ $name }। /help बताता है कि मैं क्या कर सकता हूँ।
bot-hint = नंबर पाने के लिए /countries भेजें, या /help।
bot-admin-only-button = यह बटन सिर्फ़ एडमिन के लिए है।
bot-button-stale = यह बटन अब काम नहीं करता।
