//! The history of uses through the bot: codes relayed by the OTP monitor
//! join the use they reached, users see their own with `/history`, admins
//! get CSV and XLSX with `/export`, and `numbot export` writes the same
//! from the data directory beside a running bot.

use numbot_core::{AuditAction, AuditLog};
use numbot_testing::{fake_sms::FakeSms, fake_telegram::TestUser};

use crate::{
    otp::config,
    support::{binary, number_in, uae_csv, BotHarness, ADMIN, REPLY},
};

fn text(e: &numbot_testing::fake_telegram::Entry) -> &str {
    e.text.as_deref().unwrap_or_default()
}

/// The text of `name` inside the zip archive `bytes`.
fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut file = archive.by_name(name).expect(name);
    let mut out = String::new();
    std::io::Read::read_to_string(&mut file, &mut out).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_and_export_through_the_bot_and_the_command_line() {
    let fake = FakeSms::start().await.unwrap();
    let mut sms = config("twilio", &fake);
    sms.keep_codes = true;
    let h = BotHarness::start(|c| c.sms = Some(sms.clone())).await;
    let admin = TestUser::new(ADMIN);
    h.upload(&admin, "n.csv", uae_csv(0, 5), Some("UAE Mobile"))
        .await;
    let (user, other) = (TestUser::new(100), TestUser::new(101));
    let nothing = h.say(&user, "/history").await;
    assert!(text(&nothing).contains("No number of yours"), "{nothing:?}");

    // User 100: a number, a code, Done.
    let list = h.say(&user, "/countries").await;
    let got = h
        .press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    let number = number_in(&got);
    fake.deliver(&number, "Telegram", "Telegram code: 72915");
    let code =
        h.tg.wait_for(100, REPLY, |e| text(e).contains("72915"))
            .await
            .expect("the code reaches the user");
    let done = h.toast(&user, code.message_id.unwrap(), "dn").await;
    assert_eq!(done, Some(format!("Done with {number}.")));
    // User 101: a number given back.
    let list = h.say(&other, "/countries").await;
    let got = h
        .press(&other, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    let given_back = number_in(&got);
    h.press(&other, got.message_id.unwrap(), "cxl").await;

    let mine = h.say(&user, "/history").await;
    let mine = text(&mine);
    assert!(mine.contains(&format!("<code>{number}</code>")), "{mine}");
    assert!(
        mine.contains("UAE Mobile") && mine.contains("completed"),
        "{mine}"
    );
    assert!(mine.contains("<code>72915</code>"), "the code kept: {mine}");
    assert!(!mine.contains(&given_back), "only the user's own: {mine}");

    // Admins: CSV and XLSX; anyone else is refused.
    let refused = h.say(&user, "/export").await;
    assert!(text(&refused).contains("for admins only"), "{refused:?}");
    let bad = h.say(&admin, "/export 2026-13-01").await;
    assert!(text(&bad).contains("YYYY-MM-DD"), "{bad:?}");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    h.tg.send_text(&admin, &format!("/export {today} {today}"));
    let stem = format!("uses_{today}_{today}");
    let xlsx_sent =
        h.tg.wait_for(ADMIN, REPLY, |e| {
            e.file
                .as_ref()
                .is_some_and(|(name, _)| name.ends_with(".xlsx"))
        })
        .await
        .expect("an XLSX file");
    assert_eq!(text(&xlsx_sent), "2 uses (XLSX)");
    let csv = h.tg.sent_file(&format!("{stem}.csv")).expect("a CSV file");
    let mut rows = csv::Reader::from_reader(csv.as_slice());
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let by_number = |n: &str| rows.iter().find(|r| &r[0] == n).cloned().unwrap();
    let first = by_number(&number);
    assert_eq!(
        (
            &first[1],
            &first[3],
            &first[4][..3],
            &first[7],
            &first[8],
            &first[11]
        ),
        ("100", "UAE Mobile", "UAE", "completed", "1", "72915")
    );
    let second = by_number(&given_back);
    assert_eq!(
        (&second[1], &second[7], &second[8]),
        ("101", "cancelled", "0")
    );
    let xlsx = h.tg.sent_file(&format!("{stem}.xlsx")).unwrap();
    let sheet = unzip(&xlsx, "xl/worksheets/sheet1.xml");
    for expected in [
        number.as_str(),
        given_back.as_str(),
        "completed",
        "cancelled",
        "72915",
    ] {
        assert!(sheet.contains(expected), "{expected} in the sheet");
    }
    let none = h.say(&admin, "/export 2020-01-01 2020-01-31").await;
    assert_eq!(text(&none), "No use ended in that period.");
    let audit = h.users.recent_audit(5).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == AuditAction::Export && e.detail.contains("2 uses")),
        "{audit:?}"
    );

    // The command line, beside the running bot (no lock taken).
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("uses.csv");
    let run = std::process::Command::new(binary("numbot"))
        .arg("--data-dir")
        .arg(h.store.dir())
        .args(["export", path.to_str().unwrap(), "--from", &today])
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        format!("2 uses written to {}", path.display())
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        csv,
        "the same file as /export"
    );
    let refused = std::process::Command::new(binary("numbot"))
        .arg("--data-dir")
        .arg(h.store.dir())
        .args(["export", out.path().join("uses.txt").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains(".csv or .xlsx"));
}
