//! The fake Bot API server speaks the real protocol: teloxide, unchanged,
//! talks to it over HTTP through `set_api_url`.

use std::time::Duration;

use numbot_testing::fake_telegram::{FakeTelegram, TestUser};
use teloxide::{
    net::Download,
    prelude::*,
    types::{BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, UpdateKind},
    RequestError,
};

async fn setup() -> (FakeTelegram, Bot) {
    let tg = FakeTelegram::start().await.unwrap();
    let bot = Bot::new(tg.token()).set_api_url(tg.api_url().parse().unwrap());
    (tg, bot)
}

#[tokio::test]
async fn teloxide_long_polls_sends_edits_and_downloads() {
    let (tg, bot) = setup().await;
    let me = bot.get_me().await.unwrap();
    assert_eq!(me.username(), "numbot_fake_bot");

    // A long poll waits for the user's message.
    let user = TestUser::new(42);
    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tg.send_text(&user, "/start");
    let updates = poll.await.unwrap().unwrap();
    assert_eq!(updates.len(), 1);
    let UpdateKind::Message(message) = &updates[0].kind else {
        panic!("{:?}", updates[0])
    };
    assert_eq!(
        (message.text(), message.chat.id),
        (Some("/start"), ChatId(42))
    );
    let mut offset = updates[0].id.0 as i32 + 1;

    // The bot answers with a keyboard; the user presses a button.
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(
        "UAE Mobile (2)",
        "pick:UAE Mobile",
    )]]);
    let sent = bot
        .send_message(ChatId(42), "Pick a country")
        .reply_markup(keyboard)
        .await
        .unwrap();
    let last = tg.transcript(42).pop().unwrap();
    assert_eq!(
        (last.from, last.text.as_deref()),
        ("bot", Some("Pick a country"))
    );
    assert_eq!(
        last.buttons,
        [[("UAE Mobile (2)".to_string(), "pick:UAE Mobile".to_string())]]
    );
    tg.press_button(&user, i64::from(sent.id.0), "pick:UAE Mobile");
    let updates = bot.get_updates().offset(offset).timeout(5).await.unwrap();
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
        panic!("{:?}", updates[0])
    };
    assert_eq!(query.data.as_deref(), Some("pick:UAE Mobile"));
    assert_eq!(query.from.id, UserId(42));
    offset = updates[0].id.0 as i32 + 1;
    bot.answer_callback_query(query.id.clone()).await.unwrap();
    let edited = bot
        .edit_message_text(ChatId(42), sent.id, "Your number: +971 50 123 4567")
        .await
        .unwrap();
    assert_eq!(edited.text(), Some("Your number: +971 50 123 4567"));

    // A document from the user: getFile, then the download.
    let csv = b"number\n+971501234567\n".to_vec();
    tg.send_document(&user, "numbers.csv", csv.clone(), Some("UAE Mobile"));
    let updates = bot.get_updates().offset(offset).timeout(5).await.unwrap();
    let UpdateKind::Message(message) = &updates[0].kind else {
        panic!("{:?}", updates[0])
    };
    let document = message.document().expect("a document");
    assert_eq!(
        (document.file_name.as_deref(), message.caption()),
        (Some("numbers.csv"), Some("UAE Mobile"))
    );
    let file = bot.get_file(document.file.id.clone()).await.unwrap();
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded)
        .await
        .unwrap();
    assert_eq!(downloaded, csv);

    // Multipart uploads from the bot.
    bot.send_document(
        ChatId(42),
        InputFile::memory(b"a,b\n1,2\n".to_vec()).file_name("report.csv"),
    )
    .caption("report")
    .await
    .unwrap();
    bot.send_photo(
        ChatId(42),
        InputFile::memory(vec![0x89, b'P', b'N', b'G']).file_name("chart.png"),
    )
    .await
    .unwrap();
    let transcript = tg.transcript(42);
    let files: Vec<_> = transcript.iter().filter_map(|e| e.file.clone()).collect();
    assert_eq!(
        files,
        [
            ("numbers.csv".to_string(), 21),
            ("report.csv".to_string(), 8),
            ("chart.png".to_string(), 4)
        ]
    );
    assert!(tg
        .wait_for(42, Duration::from_secs(1), |e| e.method == "sendphoto")
        .await
        .is_some());
}

#[tokio::test]
async fn commands_members_webhooks_and_429() {
    let (tg, bot) = setup().await;
    bot.set_my_commands([
        BotCommand::new("start", "Start"),
        BotCommand::new("countries", "Pick a country"),
    ])
    .await
    .unwrap();
    assert_eq!(
        tg.last_params("setMyCommands").unwrap()["commands"][1]["command"],
        "countries"
    );

    tg.set_member(-1001, 42, "member");
    assert!(bot
        .get_chat_member(ChatId(-1001), UserId(42))
        .await
        .unwrap()
        .is_present());
    assert!(!bot
        .get_chat_member(ChatId(-1001), UserId(43))
        .await
        .unwrap()
        .is_present());
    tg.set_member(-1001, 44, "kicked");
    assert!(!bot
        .get_chat_member(ChatId(-1001), UserId(44))
        .await
        .unwrap()
        .is_present());
    tg.set_member(-1001, 45, "administrator");
    assert!(bot
        .get_chat_member(ChatId(-1001), UserId(45))
        .await
        .unwrap()
        .is_present());

    bot.set_webhook("https://numbot.example/hook".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        bot.get_webhook_info()
            .await
            .unwrap()
            .url
            .map(|u| u.to_string())
            .as_deref(),
        Some("https://numbot.example/hook")
    );
    bot.delete_webhook().await.unwrap();
    assert_eq!(bot.get_webhook_info().await.unwrap().url, None);

    tg.throttle(2, 3);
    for _ in 0..2 {
        match bot.send_message(ChatId(42), "hello").await {
            Err(RequestError::RetryAfter(after)) => assert_eq!(after.seconds(), 3),
            other => panic!("expected a 429, got {other:?}"),
        }
    }
    bot.send_message(ChatId(42), "hello").await.unwrap();
    assert_eq!(tg.calls("sendMessage"), 3);
}

#[tokio::test]
async fn control_api_over_http() {
    let tg = FakeTelegram::start().await.unwrap();
    let base = tg.api_url();
    let http = |path: &str| format!("{base}control/{path}");
    let client = teloxide::net::default_reqwest_settings().build().unwrap();
    let update: serde_json::Value = client
        .post(http("users/7/text"))
        .body("/help")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(update["update_id"], 1);
    client
        .post(http("users/7/document?name=n.csv&caption=UAE"))
        .body("number\n+971501234567\n")
        .send()
        .await
        .unwrap();
    let transcript: serde_json::Value = client
        .get(http("chats/7/transcript"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(transcript[0]["text"], "/help");
    assert_eq!(transcript[1]["method"], "document");
    assert_eq!(transcript[1]["file"][0], "n.csv");
    let bad_token = client
        .post(format!("{base}botWRONG/getMe"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status(), 401);
}
