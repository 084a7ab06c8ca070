//! Numbers that read as something other than a code: parts of phone numbers,
//! masked digits, amounts, quantities, labelled numbers and years.

use super::tokens::{close, gap_after, gap_before, Kind, Token};
use super::words::Words;

pub(super) fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}')
}

fn is_mask(c: char) -> bool {
    matches!(c, '*' | '•' | '●' | '∗' | '＊' | '×')
}

fn is_currency(c: char) -> bool {
    matches!(
        c,
        '$' | '€'
            | '£'
            | '¥'
            | '₹'
            | '₽'
            | '₩'
            | '₺'
            | '₫'
            | '₪'
            | '₴'
            | '₦'
            | '฿'
            | '﷼'
            | '₱'
            | '₸'
            | '¢'
            | '￥'
            | '＄'
            | '৳'
            | '₭'
            | '៛'
            | '₮'
    )
}

/// Whether token `i` follows a masking `xxxx`.
pub(super) fn after_mask(text: &str, toks: &[Token], i: usize) -> bool {
    let before = gap_before(text, toks, i);
    if before.trim_end().ends_with(is_mask) {
        return true;
    }
    i > 0 && close(before) && {
        let p = toks[i - 1].text(text);
        p.len() >= 2 && p.bytes().all(|b| b.eq_ignore_ascii_case(&b'x'))
    }
}

/// Whether the digits over tokens `first..=last` may be a code: not a phone
/// number, masked digits, an amount, a quantity, a labelled number or a year.
pub(super) fn context_ok(text: &str, toks: &[Token], first: usize, last: usize) -> bool {
    let before = gap_before(text, toks, first);
    let after = gap_after(text, toks, last);
    let (b, a) = (before.trim_end(), after.trim_start());
    if b.ends_with('+')
        || after_mask(text, toks, first)
        || a.starts_with(is_mask)
        || b.ends_with(is_currency)
        || a.starts_with(is_currency)
        || a.starts_with('%')
    {
        return false;
    }
    if first > 0 && close(before) {
        let p = &toks[first - 1];
        if p.word().is_some_and(|w| CURRENCY.has(w)) {
            return false;
        }
        let s = p.text(text);
        if p.kind == Kind::Unspaced && UNSPACED_LABELS.all().iter().any(|l| s.ends_with(l)) {
            return false;
        }
    }
    if let Some(n) = toks.get(last + 1).filter(|_| close(after)) {
        if n.word().is_some_and(|w| UNITS.has(w) || CURRENCY.has(w)) {
            return false;
        }
        if n.kind == Kind::Unspaced
            && UNSPACED_UNITS
                .all()
                .iter()
                .any(|u| n.text(text).starts_with(u))
        {
            return false;
        }
    }
    !(labelled(toks, first) || (first == last && is_year(text, toks, first)))
}

/// Whether a label comes before token `first`, over fillers on the same line:
/// "order no. 123", "ending in 1234".
fn labelled(toks: &[Token], first: usize) -> bool {
    let mut j = first;
    for _ in 0..3 {
        if j == 0 || toks[j].line_before {
            break;
        }
        j -= 1;
        match toks[j].word() {
            Some(w) if LABELS.has(w) => return true,
            Some(w) if FILLERS.has(w) => {}
            _ => break,
        }
    }
    false
}

/// Whether token `i` is a year in a date: 19xx or 20xx next to a month name,
/// a date or time, or before 年.
fn is_year(text: &str, toks: &[Token], i: usize) -> bool {
    let s = toks[i].text(text);
    if toks[i].chars != 4 || !(s.starts_with("19") || s.starts_with("20")) {
        return false;
    }
    if toks
        .get(i + 1)
        .is_some_and(|n| n.kind == Kind::Unspaced && n.text(text).starts_with('年'))
    {
        return true;
    }
    let month = |t: &Token| t.word().is_some_and(|w| MONTHS.has(w));
    let time = |j: usize| {
        toks[j].kind == Kind::Num
            && j > 0
            && matches!(gap_before(text, toks, j), ":" | "/" | "." | "-")
    };
    (i.saturating_sub(3)..i).any(|j| month(&toks[j]) || time(j))
        || toks[i + 1..toks.len().min(i + 3)].iter().any(month)
}

/// Labels before a number that is not a code: order no., card ending, balance...
static LABELS: Words = Words::new(
    "
    order orders ord ref reference invoice booking ticket tracking account acct acc card
    ending ends balance bal amount total sum avl avail available spent paid payment charged
    debited credited withdrawn deposited price cost fee fees
    pedido referencia importe monto saldo tarjeta cuenta factura valor
    conta cartão cartao fatura
    commande référence montant solde carte compte facture
    endziffer endet bestellung betrag karte konto rechnung bestellnummer kundennummer kontostand
    rekening pesanan tagihan nominal tk sd hàng hang sipariş siparişiniz tutar bakiye hesap
    заказ заказа сумма суммы баланс карта карты карте счёт счет счета номер остаток
    مبلغ المبلغ رصيد الرصيد طلب الطلب حساب الحساب بطاقة البطاقة
    مانده موجودی موجودي کارت مستند شماره سفارش آرڈر رقم اکاؤنٹ بقایا
    खाते खाता ऑर्डर राशि शेष অর্ডার ব্যালেন্স",
);

/// Words skipped between a label and its number.
static FILLERS: Words =
    Words::new("no nr number num n is was in of de du da do est ist es é à a نمبر नंबर নম্বর");

/// Currency codes and names.
pub(super) static CURRENCY: Words = Words::new(
    "
    usd eur gbp rub rur inr irr irt jpy cny rmb twd ntd hkd vnd aed sar egp brl mxn cad aud
    chf pln uah kzt idr php thb ngn krw sgd myr zar sek nok dkk try tl bdt pkr mmk ks rs rp
    dollars dollar euros euro pesos reais yuan rupees rupiah toman tomans rial rials dirham
    dirhams lira baht kyat taka won yen đ vnđ dong zł zl kč
    руб рублей рубля рубль тенге грн
    ريال ریال تومان دولار درهم جنيه دينار ليرة روپے रुपये रु টাকা",
);

/// Units after a number that is a quantity.
pub(super) static UNITS: Words = Words::new(
    "
    min mins minute minutes minuten minutos minuti sec secs seconds sekunden segundos
    hours hrs hr stunden horas menit detik jam phút giây dakika saniye saat
    gb mb kb tb km kg pts points puntos pontos punkte days días dias tage jours xp
    мин минут баллов دقیقه ثانیه منٹ मिनट মিনিট",
);

/// Suffixes that make digits a quantity or a rank (`2nd`, `10am`).
pub(super) static SUFFIXES: Words = Words::new("st nd rd th am pm h m s x k fa");

/// Words that give the state of a code or password, not a code made of letters.
pub(super) static STATUS_WORDS: Words = Words::new(
    "
    none null below above attached expired changed reset sent required invalid valid pending
    enabled disabled updated verified confirmed active inactive unknown blocked locked",
);

/// Month names, for years in dates.
static MONTHS: Words = Words::new(
    "
    jan feb mar apr may jun jul aug sep sept oct nov dec
    january february march april june july august september october november december
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    janeiro fevereiro março maio junho julho setembro outubro novembro dezembro
    janvier février mars avril mai juin juillet août octobre novembre décembre
    januar februar märz juni juli oktober dezember
    января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
);

/// Words of unspaced scripts before a number that is not a code (amount, last
/// digits, order, account, tracking...).
static UNSPACED_LABELS: Words = Words::new(
    "
    金额 金額 余额 餘額 尾号 尾號 卡号 卡號 订单 訂單 单号 單號 账号 帳號 帐号 账户 帳戶
    号码 號碼 电话 電話 热线 熱線 拨打 撥打 致电 後四碼 后四位 末尾 编号 編號 手机 手機
    合计 总计 支付 消费 消費 转账 轉帳
    残高 口座 注文番号 予約番号 伝票番号 会員番号 お問い合わせ番号
    금액 잔액 계좌 주문번호 운송장번호 예약번호
    คำสั่งซื้อ บัญชี คงเหลือ ยอด အကောင့် လက်ကျန်",
);

/// Words of unspaced scripts after a number that is not a code (dates, money,
/// counts, time).
static UNSPACED_UNITS: Words = Words::new(
    "
    年 月 日 元 円 块 塊 圆 号 號 次 个 個 万 萬 亿 億 张 張 天 岁 歳 人 件 秒 分钟 分鐘
    小时 小時 时 時 点 分 热线 熱線 원 개 명 일 월 년 분
    บาท นาที วินาที ကျပ် မိနစ်",
);
