//! Translation benchmark: `cargo bench -p numbot-tests --bench i18n`.
//!
//! What a Fluent message costs beside the `format!` it replaced, measured
//! in the same run: the number message (seven values, sent on every
//! claim) in English, Russian and Arabic, and a message with a plural
//! choice. No Telegram or store is involved: this is the cost the
//! translation adds to each reply.

use std::{hint::black_box, time::Instant};

use fluent_templates::fluent_bundle::FluentValue;
use numbot_telegram::Lang;

const ROUNDS: u32 = 200_000;

/// Nanoseconds per call of `f`, over [`ROUNDS`] calls.
fn per_call(mut f: impl FnMut() -> String) -> f64 {
    for _ in 0..1_000 {
        black_box(f());
    }
    let start = Instant::now();
    for _ in 0..ROUNDS {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(ROUNDS)
}

fn number_message(lang: Lang) -> String {
    lang.text(
        "user-number",
        &[
            ("number", FluentValue::from("+971500000002")),
            ("display", FluentValue::from("050 000 0002")),
            ("country", FluentValue::from("AE")),
            ("category", FluentValue::from("UAE Mobile")),
            ("file", FluentValue::from("UAE_Mobile_20261202_012522.csv")),
            ("until", FluentValue::from("01:45 UTC")),
            (
                "waiting",
                FluentValue::from(lang.text("user-number-waiting", &[])),
            ),
        ],
    )
}

fn main() {
    let en = Lang::EN;
    let ru = Lang::from_tag("ru").unwrap();
    let ar = Lang::from_tag("ar").unwrap();
    let baseline = per_call(|| {
        format!(
            "Your number: <code>{}</code>\n{}\nCountry: {} · Category: {}\nFrom file: {}\nIt is yours until {}. {}",
            black_box("+971500000002"),
            black_box("050 000 0002"),
            black_box("AE"),
            black_box("UAE Mobile"),
            black_box("UAE_Mobile_20261202_012522.csv"),
            black_box("01:45 UTC"),
            black_box("Press Done when you have finished, Cancel to give it back unused; Change number gives you another."),
        )
    });
    assert_eq!(
        number_message(en),
        "Your number: <code>+971500000002</code>\n050 000 0002\nCountry: AE · Category: UAE Mobile\nFrom file: UAE_Mobile_20261202_012522.csv\nIt is yours until 01:45 UTC. Press Done when you have finished, Cancel to give it back unused; Change number gives you another."
    );
    println!("| message | ns per message | × the format! baseline |");
    println!("| --- | --- | --- |");
    println!("| baseline, same run: the number message by `format!` | {baseline:.0} | 1.0 |");
    for (name, lang) in [("English", en), ("Russian", ru), ("Arabic", ar)] {
        let ns = per_call(|| number_message(lang));
        println!(
            "| the number message in {name} (Fluent, 7 values) | {ns:.0} | {:.1} |",
            ns / baseline
        );
    }
    let plural = per_call(|| {
        ru.text(
            "user-limited",
            &[
                ("max", FluentValue::from(22)),
                ("window", FluentValue::from("1 ч 0 мин")),
                ("wait", FluentValue::from("12 мин")),
            ],
        )
    });
    println!(
        "| the limit message in Russian (a plural choice) | {plural:.0} | {:.1} |",
        plural / baseline
    );
}
