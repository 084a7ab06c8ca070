//! The Telegram bot: teloxide's dispatcher over numbot's store, user records
//! and plugins. The handler tree lives here; `main` only picks how updates
//! arrive (long polling by default, or a webhook with a secret token).
//!
//! - [`user`]: `/start`, `/help`, `/countries` (paged), picking a number,
//!   Change and Cancel, `/stats`;
//! - [`admin`]: CSV uploads, `/csvstats` (table and chart), `/csvlist`,
//!   `/csvdelete`, `/ban`, `/unban`, `/approve`, `/plugins`, `/audit`;
//! - [`access`]: the `open`, `approval` and `channel` modes and bans.
//!
//! Every request to Telegram goes through [`send::retrying`]: a 429 is waited
//! out. Updates of one chat are handled in order; chats run concurrently.

mod access;
mod admin;
pub mod chart;
pub mod commands;
pub mod limits;
pub mod send;
mod user;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use teloxide::{
    adaptors::throttle::Limits,
    dispatching::{Dispatcher, ShutdownToken, UpdateFilterExt, UpdateHandler},
    error_handlers::LoggingErrorHandler,
    prelude::*,
    types::{BotCommandScope, CallbackQuery, Me, Recipient},
    update_listeners::{webhooks, Polling},
    RequestError,
};

use crate::{
    config::{Config, Mode},
    monitor::{Notifier, OtpMonitor},
    store::Store,
    users::{AuditEvent, NumberLimit, UserStore},
};
use limits::RateLimiter;

/// The bot as handlers see it: teloxide's `Bot`, or the same behind
/// `Throttle`. Handlers are generic over it; the requests they send must be
/// shareable across threads.
pub trait Tg:
    Requester<
        Err = RequestError,
        GetMe: Send + Sync,
        SendMessage: Send + Sync,
        EditMessageText: Send + Sync,
        AnswerCallbackQuery: Send + Sync,
        SendPhoto: Send + Sync,
        GetFile: Send + Sync,
        GetChatMember: Send + Sync,
        SetMyCommands: Send + Sync,
        GetUpdates: Send,
        DeleteWebhook: Send,
        SetWebhook: Send,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> Tg for T where
    T: Requester<
            Err = RequestError,
            GetMe: Send + Sync,
            SendMessage: Send + Sync,
            EditMessageText: Send + Sync,
            AnswerCallbackQuery: Send + Sync,
            SendPhoto: Send + Sync,
            GetFile: Send + Sync,
            GetChatMember: Send + Sync,
            SetMyCommands: Send + Sync,
            GetUpdates: Send,
            DeleteWebhook: Send,
            SetWebhook: Send,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// Why starting or running the bot failed.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// Telegram refused a request at start (bad token, unreachable API).
    #[error("Telegram: {0}")]
    Telegram(#[from] RequestError),
    /// The configuration cannot run (webhook without settings, bad URL).
    #[error("{0}")]
    Config(String),
    /// The webhook listener could not start.
    #[error("webhook: {0}")]
    Webhook(String),
}

/// Everything a handler needs.
pub struct App {
    config: Config,
    store: Store,
    users: Arc<dyn UserStore>,
    /// The unthrottled bot, for file downloads.
    raw: Bot,
    me: Me,
    numbers: NumberLimit,
    flood: RateLimiter,
    /// Channel membership checked recently: user -> (when, member).
    members: Mutex<HashMap<i64, (Instant, bool)>>,
}

impl App {
    fn is_admin(&self, user: i64) -> bool {
        self.config.access.admins.contains(&user)
    }

    /// Appends to the audit trail; a failure is logged, never shown to users.
    async fn audit(&self, actor: i64, action: &str, detail: String) {
        // Details can carry user text (file names, reasons): bounded.
        let detail = if detail.chars().count() > 200 {
            let mut cut: String = detail.chars().take(199).collect();
            cut.push('…');
            cut
        } else {
            detail
        };
        let event = AuditEvent {
            at: chrono::Utc::now().timestamp(),
            actor,
            action: action.to_string(),
            detail,
        };
        if let Err(e) = self.users.audit(event).await {
            tracing::error!("audit trail: {e}");
        }
    }
}

/// A running bot; [`RunningBot::stop`] shuts it down.
pub struct RunningBot {
    shutdown: ShutdownToken,
    task: tokio::task::JoinHandle<()>,
    /// Why the bot stopped by itself, if it did.
    stopped: Arc<Mutex<Option<String>>>,
    monitor: Option<tokio::task::JoinHandle<()>>,
    /// The bot's own username (from getMe).
    pub username: String,
}

impl RunningBot {
    /// Stops taking updates, lets handlers finish (at most `grace`), then ends.
    pub async fn stop(self, grace: Duration) {
        if let Some(monitor) = &self.monitor {
            monitor.abort();
        }
        if let Ok(done) = self.shutdown.shutdown() {
            let _ = tokio::time::timeout(grace, done).await;
        }
        self.task.abort();
        let _ = self.task.await;
    }

    /// Waits until the bot stops by itself; why it did.
    pub async fn finished(&mut self) -> String {
        let _ = (&mut self.task).await;
        self.stopped_because()
            .unwrap_or_else(|| "the update listener ended".into())
    }

    /// Why the bot stopped by itself (another process polling the same bot).
    pub fn stopped_because(&self) -> Option<String> {
        self.stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The handler tree: messages and button presses.
pub fn schema<B: Tg>() -> UpdateHandler<RequestError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message::<B>))
        .branch(Update::filter_callback_query().endpoint(on_callback::<B>))
}

async fn on_message<B: Tg>(bot: B, msg: Message, app: Arc<App>) -> Result<(), RequestError> {
    let Some(from) = msg.from.clone() else {
        return Ok(());
    };
    if !msg.chat.is_private() {
        return Ok(());
    }
    let user = from.id.0 as i64;
    if let Err((wait, first)) = app.flood.acquire(user) {
        if first {
            let text = format!(
                "You are sending too fast. Wait {} and try again.",
                send::wait(wait)
            );
            send::retrying(bot.send_message(msg.chat.id, text)).await?;
        }
        return Ok(());
    }
    let Some(me) = access::identify(&bot, &app, &from, msg.chat.id).await? else {
        return Ok(());
    };
    if msg.document().is_some() {
        return admin::document(&bot, &app, &me, &msg).await;
    }
    let text = msg.text().unwrap_or_default();
    let Some(command) = commands::parse(text, app.me.username()) else {
        if app.is_admin(user)
            && !text.is_empty()
            && admin::category_reply(&bot, &app, &me, text).await?
        {
            return Ok(());
        }
        let hint = "Send /countries to get a number, or /help.";
        send::retrying(bot.send_message(msg.chat.id, hint)).await?;
        return Ok(());
    };
    if commands::is_admin(&command.name) && !app.is_admin(user) {
        app.audit(user, "denied", format!("/{}", command.name))
            .await;
        tracing::warn!(user, command = %command.name, "admin command refused");
        let text = "This command is for admins only. The attempt has been logged.";
        send::retrying(bot.send_message(msg.chat.id, text)).await?;
        return Ok(());
    }
    match command.name.as_str() {
        "start" => user::start(&bot, &app, &me).await,
        "help" => user::help(&bot, &app, &me).await,
        "countries" => user::countries(&bot, &app, &me, None).await.map(drop),
        "stats" => user::stats(&bot, &app, &me).await,
        "csvstats" => admin::csvstats(&bot, &app, &me).await,
        "csvlist" => admin::csvlist(&bot, &app, &me).await,
        "csvdelete" => admin::csvdelete(&bot, &app, &me).await,
        "ban" => admin::ban(&bot, &app, &me, command.args).await,
        "unban" => admin::unban(&bot, &app, &me, command.args).await,
        "approve" => admin::approve(&bot, &app, &me, command.args).await,
        "plugins" => admin::plugins(&bot, &app, &me).await,
        "audit" => admin::audit(&bot, &app, &me).await,
        other => {
            let text = format!("Unknown command /{other}. /help lists what I can do.");
            send::retrying(bot.send_message(msg.chat.id, text)).await?;
            Ok(())
        }
    }
}

async fn on_callback<B: Tg>(bot: B, q: CallbackQuery, app: Arc<App>) -> Result<(), RequestError> {
    let user = q.from.id.0 as i64;
    let (Some(data), Some(message)) = (q.data.clone(), q.regular_message().cloned()) else {
        send::retrying(bot.answer_callback_query(q.id.clone())).await?;
        return Ok(());
    };
    if let Err((wait, _)) = app.flood.acquire(user) {
        let text = format!("Too fast: wait {}.", send::wait(wait));
        send::retrying(bot.answer_callback_query(q.id.clone()).text(text)).await?;
        return Ok(());
    }
    let Some(me) = access::identify(&bot, &app, &q.from, message.chat.id).await? else {
        send::retrying(bot.answer_callback_query(q.id.clone())).await?;
        return Ok(());
    };
    let press = Press { message: &message };
    let (action, arg) = data.split_once(':').unwrap_or((data.as_str(), ""));
    let admin_only = matches!(
        action,
        "ap" | "rj" | "del" | "delok" | "delno" | "upc" | "upx"
    );
    if admin_only && !app.is_admin(user) {
        app.audit(user, "denied", format!("button {action}")).await;
        send::retrying(
            bot.answer_callback_query(q.id.clone())
                .text("This button is for admins only.")
                .show_alert(true),
        )
        .await?;
        return Ok(());
    }
    let outcome = match action {
        "pg" => user::countries(&bot, &app, &me, Some((&press, arg))).await,
        "pk" => user::pick(&bot, &app, &me, &press, arg).await,
        "chg" => user::change(&bot, &app, &me, &press).await,
        "cxl" => user::cancel(&bot, &app, &me, &press).await,
        "ap" | "rj" => admin::decide(&bot, &app, &me, &press, action == "ap", arg).await,
        "del" | "delok" | "delno" => admin::delete_step(&bot, &app, &me, &press, action, arg).await,
        "upc" | "upx" => admin::upload_choice(&bot, &app, &me, &press, action, arg).await,
        _ => Ok(Some("This button is no longer valid.".to_string())),
    };
    // The button stops spinning whatever happened.
    let mut reply = bot.answer_callback_query(q.id.clone());
    match &outcome {
        Ok(Some(text)) => reply = reply.text(text.clone()),
        Ok(None) => {}
        Err(_) => reply = reply.text("Something went wrong; try again."),
    }
    send::retrying(reply).await?;
    outcome.map(drop)
}

/// A button press: the message its keyboard belongs to.
pub struct Press<'a> {
    message: &'a Message,
}

/// The user behind an update, once access allows them to talk to the bot.
pub struct Caller {
    /// Telegram user id.
    pub id: i64,
    /// Their private chat with the bot.
    pub chat: ChatId,
    /// An admin from the configuration.
    pub admin: bool,
    /// Their record.
    pub record: crate::users::UserRecord,
}

/// Watches `getUpdates` errors: a 409 "terminated by other getUpdates
/// request" means a second process polls this bot. Two pollers would take
/// turns failing forever. Telegram ends the older request, so the process
/// already running sees the first 409 and polls again (after teloxide's
/// back-off), which ends the newcomer's request: a 409 in the first seconds
/// of polling means this process is the second one, and it stops with a
/// clear reason.
struct PollingGuard {
    shutdown: ShutdownToken,
    stopped: Arc<Mutex<Option<String>>>,
    started: Instant,
}

/// A 409 this soon after polling began means another process was first.
const NEWCOMER_WINDOW: Duration = Duration::from_secs(5);

impl teloxide::error_handlers::ErrorHandler<RequestError> for PollingGuard {
    fn handle_error(
        self: Arc<Self>,
        error: RequestError,
    ) -> futures::future::BoxFuture<'static, ()> {
        let conflict = matches!(
            error,
            RequestError::Api(teloxide::ApiError::TerminatedByOtherGetUpdates)
        );
        if conflict && self.started.elapsed() >= NEWCOMER_WINDOW {
            tracing::warn!("another process polled this bot's updates (409 Conflict); polling again, which stops the newcomer");
        } else if conflict {
            let reason = "another process is already long-polling this bot's updates (Telegram answered 409 Conflict). Only one process per bot token may poll: stop the other one, or run the replicas in webhook mode behind a load balancer.".to_string();
            tracing::error!("{reason}");
            *self.stopped.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
            // From a task of its own: this handler runs inside the
            // dispatcher's loop, which must be waiting to see the request.
            let token = self.shutdown.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if let Ok(done) = token.shutdown() {
                    done.await;
                }
            });
        } else {
            tracing::warn!("getUpdates failed: {error}");
        }
        Box::pin(async {})
    }
}

/// The OTP monitor's messages, sent by the bot.
struct BotNotifier<B> {
    bot: B,
    admins: Vec<i64>,
}

#[async_trait::async_trait]
impl<B: Tg> Notifier for BotNotifier<B> {
    async fn tell_user(&self, user: i64, html: String) -> bool {
        let request = self
            .bot
            .send_message(ChatId(user), html)
            .parse_mode(teloxide::types::ParseMode::Html);
        match send::retrying(request).await {
            Ok(_) => true,
            // Telegram refused it for good (the user blocked the bot, say):
            // trying again every poll would not change that.
            Err(RequestError::Api(e)) => {
                tracing::warn!(user, "Telegram refused a relayed message: {e}");
                true
            }
            Err(e) => {
                tracing::warn!(user, "could not relay a message, will try again: {e}");
                false
            }
        }
    }

    async fn tell_admins(&self, text: String) {
        for &admin in &self.admins {
            if let Err(e) = send::retrying(self.bot.send_message(ChatId(admin), text.clone())).await
            {
                tracing::warn!(admin, "could not alert an admin: {e}");
            }
        }
    }
}

/// Sets the command menus: users' by default, admins' in each admin's chat.
/// An admin who never opened a chat with the bot cannot get a menu yet:
/// that is logged, not fatal.
async fn set_menus<B: Tg>(bot: &B, config: &Config) -> Result<(), RequestError> {
    send::retrying(bot.set_my_commands(commands::menu(false))).await?;
    for &admin in &config.access.admins {
        let scoped = bot
            .set_my_commands(commands::menu(true))
            .scope(BotCommandScope::Chat {
                chat_id: Recipient::Id(ChatId(admin)),
            });
        if let Err(e) = send::retrying(scoped).await {
            tracing::warn!(
                admin,
                "could not set the admin menu (has the admin started the bot?): {e}"
            );
        }
    }
    Ok(())
}

/// Starts the bot on the current tokio runtime: checks the token (getMe),
/// sets the menus, then takes updates by long polling or webhook as the
/// configuration says.
pub async fn start(
    config: Config,
    store: Store,
    users: Arc<dyn UserStore>,
) -> Result<RunningBot, BotError> {
    let api_url = reqwest::Url::parse(&config.telegram.api_url)
        .map_err(|e| BotError::Config(format!("telegram.api_url: {e}")))?;
    let raw = Bot::new(config.telegram.token.clone()).set_api_url(api_url);
    if config.telegram.throttle {
        launch(
            raw.clone().throttle(Limits::default()),
            raw,
            config,
            store,
            users,
        )
        .await
    } else {
        launch(raw.clone(), raw, config, store, users).await
    }
}

async fn launch<B: Tg>(
    bot: B,
    raw: Bot,
    config: Config,
    store: Store,
    users: Arc<dyn UserStore>,
) -> Result<RunningBot, BotError> {
    let me = send::retrying(bot.get_me()).await?;
    set_menus(&bot, &config).await?;
    // A formatter instance made now, not while the first user waits.
    let plugins = store.plugins().clone();
    tokio::task::spawn_blocking(move || plugins.format(&["+447400123456".to_string()], None))
        .await
        .ok()
        .and_then(Result::err)
        .into_iter()
        .for_each(|e| tracing::warn!("formatter warm-up failed: {e}"));
    let limits = &config.limits;
    let app = Arc::new(App {
        numbers: NumberLimit {
            max: limits.numbers_per_window.max(1) as usize,
            window: Duration::from_secs(limits.window_secs),
        },
        flood: RateLimiter::new(limits.updates_per_minute, Duration::from_secs(60)),
        config: config.clone(),
        store,
        users,
        raw,
        me: me.clone(),
        members: Mutex::new(HashMap::new()),
    });
    let store_for_monitor = app.store.clone();
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema::<B>())
        .dependencies(dptree::deps![app])
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text(
            "a request to Telegram failed",
        ))
        .build();
    let shutdown = dispatcher.shutdown_token();
    let stopped = Arc::new(Mutex::new(None));
    let task = match config.telegram.mode {
        Mode::Polling => {
            let stopped_in_task = stopped.clone();
            let listener = Polling::builder(bot.clone())
                .timeout(Duration::from_secs(10))
                .delete_webhook()
                .await
                .build();
            tokio::spawn(async move {
                let guard = Arc::new(PollingGuard {
                    shutdown: dispatcher.shutdown_token(),
                    stopped: stopped_in_task,
                    started: Instant::now(),
                });
                dispatcher.dispatch_with_listener(listener, guard).await;
            })
        }
        Mode::Webhook => {
            let hook =
                config.telegram.webhook.clone().ok_or_else(|| {
                    BotError::Config("webhook mode needs [telegram.webhook]".into())
                })?;
            let url = reqwest::Url::parse(&hook.url)
                .map_err(|e| BotError::Config(format!("telegram.webhook.url: {e}")))?;
            let options =
                webhooks::Options::new(hook.listen, url).secret_token(hook.secret_token.clone());
            let listener = webhooks::axum(bot.clone(), options)
                .await
                .map_err(|e| BotError::Webhook(e.to_string()))?;
            tokio::spawn(async move {
                dispatcher
                    .dispatch_with_listener(
                        listener,
                        LoggingErrorHandler::with_custom_text("webhook listener failed"),
                    )
                    .await;
            })
        }
    };
    let monitor = match &config.sms {
        Some(sms) => {
            let provider = sms.build().map_err(BotError::Config)?;
            let notifier = Arc::new(BotNotifier {
                bot: bot.clone(),
                admins: config.access.admins.clone(),
            });
            let monitor = Arc::new(OtpMonitor::new(
                store_for_monitor,
                &config.store.data_dir,
                provider,
                notifier,
                Duration::from_millis(sms.poll_interval_ms.max(10)),
            ));
            Some(tokio::spawn(monitor.run()))
        }
        None => None,
    };
    Ok(RunningBot {
        shutdown,
        task,
        stopped,
        monitor,
        username: me.username().to_string(),
    })
}
