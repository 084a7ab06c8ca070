# एडमिन के लिए टेक्स्ट: CSV अपलोड, /csvlist, /csvdelete, /csvstats, /plugins, /audit.

## कोई भी एडमिन कमांड
admin-store-failed = स्टोर विफल रहा: { $error }

## अपलोड
upload-admins-only = केवल एडमिन नंबर अपलोड कर सकते हैं। इस कोशिश को दर्ज कर लिया गया है।
upload-download-failed = { $name } को Telegram से डाउनलोड नहीं किया जा सका ({ $error })। इसे फिर से भेजें।
upload-too-big = { $name } का आकार { $mb } MB है; Telegram बॉट्स को केवल 20 MB तक की फ़ाइलें डाउनलोड करने देता है। इसे छोटी CSV फ़ाइलों में बाँटें और एक-एक करके भेजें (या सर्वर पर `numbot import` इस्तेमाल करें)।
upload-not-csv = { $name } CSV फ़ाइल नहीं है। numbot ऐसी .csv (या .txt) फ़ाइलें इम्पोर्ट करता है जिनकी हर पंक्ति में एक नंबर हो। Excel या Google Sheets में शीट को CSV के रूप में सेव या डाउनलोड करें और वही भेजें।
upload-nothing-imported = { $name } से कुछ भी इम्पोर्ट नहीं हुआ: { $error }
upload-ask-category = { $n ->
    [one] { $file }: { $shown } नंबर मिला। इसे किस श्रेणी में डालना है?
   *[other] { $file }: { $shown } नंबर मिले। इन्हें किस श्रेणी में डालना है?
} श्रेणी का नाम लिखकर जवाब दें (जैसे <i>UAE Mobile</i>) या कोई एक चुनें।
upload-replaces = (यह { $file } की जगह लेती है, जो अपनी श्रेणी का इंतज़ार कर रही थी।)
upload-many-categories = इसके Range कॉलम में { $named } श्रेणियाँ हैं; एक फ़ाइल एक ही श्रेणी में जाती है, इसलिए अगर इन्हें अलग रखना है तो फ़ाइल को बाँट दें।
upload-cancel-button = अपलोड रद्द करें
upload-not-kept = श्रेणी का इंतज़ार करते समय numbot अपलोड को सँभालकर नहीं रख सका; कैप्शन में श्रेणी लिखकर इसे फिर से भेजें।
upload-fetch-failed = { $name } को Telegram से नहीं लाया जा सका ({ $error }); कुछ भी इम्पोर्ट नहीं हुआ। फिर से जवाब दें, या फ़ाइल दोबारा भेजें।
upload-none-waiting = कोई अपलोड इंतज़ार में नहीं है।
upload-lapsed = उस सवाल की समय-सीमा खत्म हो गई: फ़ाइल फिर से भेजें।
upload-out-of-date = वह सवाल पुराना हो गया है: सबसे नए सवाल का जवाब दें।
upload-cancelled = { $n ->
    [one] { $name } का अपलोड रद्द हुआ; { $shown } नंबर इम्पोर्ट नहीं हुआ।
   *[other] { $name } का अपलोड रद्द हुआ; { $shown } नंबर इम्पोर्ट नहीं हुए।
}
upload-category-gone = वह श्रेणी अब मौजूद नहीं है: कोई नाम लिखें।
upload-bad-category = { $error }। कोई दूसरा नाम लिखें।

## अपलोड रिपोर्ट
upload-report-imported = { $n ->
    [one] <b>{ $category } में { $shown } नंबर इम्पोर्ट हुआ</b>
   *[other] <b>{ $category } में { $shown } नंबर इम्पोर्ट हुए</b>
}
upload-report-stored = { $file } नाम से सहेजा गया
upload-report-country = देश: { $country }
upload-report-duplicates = डुप्लिकेट: फ़ाइल के भीतर { $in_file }, पूल में पहले से { $in_pool }
upload-report-rejected = अस्वीकृत: { $shown }
upload-report-line = पंक्ति { $line }: { $reason }
upload-report-more = … और { $shown }

## /csvstats
files-none-yet-send = अभी तक कोई फ़ाइल अपलोड नहीं हुई। नंबर जोड़ने के लिए CSV फ़ाइल भेजें।
files-column-file = फ़ाइल
files-column-total = कुल
files-column-free = खाली
files-column-in-use = उपयोग में
files-column-used = उपयोग%
files-column-taken = लिए गए
files-usage-title = <b>फ़ाइल के अनुसार उपयोग</b>
files-usage-first = { $total } में से पहली { $shown } फ़ाइलें; सर्वर पर <code>numbot files</code> सभी फ़ाइलें दिखाता है।
files-chart-caption = { $n ->
    [one] स्थिति के अनुसार हर फ़ाइल के नंबर ({ $n } फ़ाइल)।
   *[other] स्थिति के अनुसार हर फ़ाइल के नंबर ({ $n } फ़ाइलें)।
}
files-usage-caption = हर दिन लिए गए नंबर और मिले कोड, पिछले { $days } दिन (UTC)। कोड तब गिने जाते हैं जब उनका उपयोग खत्म हो जाता है।

## /csvlist
files-none-yet = अभी तक कोई फ़ाइल अपलोड नहीं हुई।
files-list-title = { $n ->
    [one] <b>{ $n } फ़ाइल</b>
   *[other] <b>{ $n } फ़ाइलें</b>
}
files-list-entry = { $n ->
   *[other] { $country } · { $shown } नंबर ({ $free } खाली) · { $date } को { $admin } ने अपलोड की
}
files-list-more = … और { $n }: सर्वर पर <code>numbot files</code> सभी फ़ाइलें दिखाता है।
files-list-deleted = { $n ->
    [one] { $n } हटाई गई फ़ाइल इतिहास में रखी गई है।
   *[other] { $n } हटाई गई फ़ाइलें इतिहास में रखी गई हैं।
}

## /csvdelete
files-none-to-delete = हटाने के लिए कोई फ़ाइल नहीं है।
files-delete-button = { $n ->
   *[other] { $name } ({ $shown } नंबर)
}
files-delete-question = कौन-सी फ़ाइल हटानी है?
files-delete-question-first = कौन-सी फ़ाइल हटानी है? ({ $total } में से पहली { $shown }; सर्वर पर `numbot delete` कोई भी फ़ाइल हटा सकता है।)
files-gone = वह फ़ाइल पहले ही हटाई जा चुकी है।
files-delete-confirm = { $name } हटाएँ? { $free_n ->
    [one] इसका { $free } खाली नंबर अभी पूल से निकल जाएगा
   *[other] इसके { $free } खाली नंबर अभी पूल से निकल जाएँगे
}; { $in_use_n ->
    [one] उपयोग में चल रहा { $in_use } नंबर रिलीज़ होने पर निकलेगा
   *[other] उपयोग में चल रहे { $in_use } नंबर रिलीज़ होने पर निकलेंगे
}। इतिहास बना रहेगा।
files-delete-yes = हाँ, हटाएँ
files-delete-no = नहीं
files-deleted = { $n ->
    [one] { $name } हटा दी गई: { $shown } नंबर पूल से निकल गया।
   *[other] { $name } हटा दी गई: { $shown } नंबर पूल से निकल गए।
}
files-deleted-toast = हटा दी गई।
files-nothing-deleted = कुछ भी नहीं हटाया गया।

## /plugins और /audit
info-plugins-title = <b>प्लगइन</b>
info-plugins-all-countries = सभी देश
info-plugins-refused = अस्वीकृत { $path }: { $error }
info-audit-empty = ऑडिट लॉग खाली है।
info-audit-title = <b>हाल की ऑडिट घटनाएँ</b>
