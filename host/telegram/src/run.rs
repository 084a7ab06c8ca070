//! Starting the bot: the token checked (`getMe`), the menus set, then
//! updates taken by long polling or from a webhook, as configured.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use numbot_core::Numbers;
use teloxide::{
    dispatching::{Dispatcher, ShutdownToken},
    error_handlers::LoggingErrorHandler,
    prelude::*,
    update_listeners::{webhooks, Polling, UpdateListener},
    RequestError,
};

use crate::{
    access::MEMBERSHIP_TTL,
    admin::TelegramCourier,
    app::App,
    commands,
    i18n::Lang,
    language,
    limits::{RateLimiter, Recent},
    log_chat::LogChat,
    notifier::TelegramNotifier,
    schema::schema,
    settings::{BotSettings, Mode, TelegramConfig},
    Tg,
};

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
    /// The Mini App's listener could not start.
    #[error("web: {0}")]
    Web(String),
}

/// A running bot; [`RunningBot::stop`] shuts it down.
pub struct RunningBot {
    shutdown: ShutdownToken,
    task: tokio::task::JoinHandle<()>,
    /// Why the bot stopped by itself, if it did.
    stopped: Arc<Mutex<Option<String>>>,
    /// The bot's own username (from getMe).
    pub username: String,
    /// This process's broadcast sender, stopped with the bot.
    _broadcasts: Aborting,
    /// The Mini App's listener, when `[web]` serves one.
    _web: Option<crate::miniapp::RunningWeb>,
    /// Where the Mini App listens (the port chosen for port 0).
    pub web_addr: Option<std::net::SocketAddr>,
}

/// Aborts a task when dropped.
struct Aborting(tokio::task::JoinHandle<()>);

impl Drop for Aborting {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl RunningBot {
    /// Stops taking updates, lets handlers finish (at most `grace`), then ends.
    pub async fn stop(self, grace: Duration) {
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

/// Sets the command menus: users' in every language numbot speaks (and in
/// the default language for the others), admins' in each admin's chat in
/// their language. An admin who never opened a chat with the bot cannot
/// get a menu yet: that is logged, not fatal.
async fn set_menus(bot: &Tg, app: &App) -> Result<(), RequestError> {
    let default = app.settings.language();
    // The chat's menu button opens the Mini App, when there is one.
    if let Some(url) = app
        .settings
        .web
        .as_ref()
        .and_then(crate::miniapp::button_url)
    {
        let button = teloxide::types::MenuButton::WebApp {
            text: tr!(default, "web-menu-button"),
            web_app: teloxide::types::WebAppInfo { url },
        };
        bot.send(bot.set_chat_menu_button().menu_button(button))
            .await?;
    }
    bot.send(bot.set_my_commands(commands::menu(default, false)))
        .await?;
    for lang in Lang::all() {
        bot.send(
            bot.set_my_commands(commands::menu(lang, false))
                .language_code(lang.code()),
        )
        .await?;
    }
    for &admin in &app.settings.access.admins {
        let lang = app.lang_of(admin).await;
        if let Err(e) = language::set_chat_menu(bot, ChatId(admin), lang, true).await {
            tracing::warn!(
                admin,
                "could not set the admin menu (has the admin started the bot?): {e}"
            );
        }
    }
    Ok(())
}

/// Starts the bot on the current tokio runtime over the shared use cases:
/// checks the token (getMe), sets the menus, then takes updates by long
/// polling or webhook as configured. The notifier sends the OTP monitor's
/// events through the same bot; the log chat, when configured, is for
/// wrapping the notifier chain in a [`crate::LoggedNotifier`]. `provider`
/// is the OTP monitor's status, shown to admins in the Mini App.
pub async fn start(
    settings: BotSettings,
    numbers: Arc<Numbers>,
    provider: Option<Arc<numbot_otp::MonitorStatus>>,
) -> Result<(RunningBot, Arc<TelegramNotifier>, Option<LogChat>), BotError> {
    let api_url = reqwest::Url::parse(&settings.telegram.api_url)
        .map_err(|e| BotError::Config(format!("telegram.api_url: {e}")))?;
    let bot = Tg::new(
        Bot::new(settings.telegram.token.clone()).set_api_url(api_url),
        settings.telegram.throttle,
    );
    let me = bot.send(bot.get_me()).await?;
    // A formatter instance made now, not while the first user waits.
    numbers.view("+447400123456").await;
    let app = Arc::new(App {
        flood: RateLimiter::new(settings.limits.updates_per_minute, Duration::from_secs(60)),
        settings: settings.clone(),
        numbers,
        me: me.clone(),
        members: Recent::new(MEMBERSHIP_TTL),
        provider,
    });
    let log = settings
        .telegram
        .log_chat
        .as_deref()
        .map(|chat| LogChat::start(bot.clone(), chat, settings.language()));
    if let Some(log) = &log {
        log.follow_audit(&app.numbers);
    }
    set_menus(&bot, &app).await?;
    let (web, web_addr) = match &settings.web {
        Some(web) => {
            let (running, addr) = crate::miniapp::serve(web.clone(), app.clone(), bot.clone())
                .await
                .map_err(|e| BotError::Web(format!("listen on {}: {e}", web.listen)))?;
            (Some(running), Some(addr))
        }
        None => (None, None),
    };
    let courier = Arc::new(TelegramCourier {
        bot: bot.clone(),
        app: app.clone(),
    });
    let sender = tokio::spawn(app.numbers.clone().send_broadcasts(courier));
    let raw: Bot = (*bot).clone();
    let mut dispatcher = Dispatcher::builder(raw.clone(), schema())
        .dependencies(dptree::deps![app.clone(), bot.clone()])
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text(
            "a request to Telegram failed",
        ))
        .build();
    let shutdown = dispatcher.shutdown_token();
    let stopped = Arc::new(Mutex::new(None));
    let task = match settings.telegram.mode {
        Mode::Polling => {
            let stopped_in_task = stopped.clone();
            let listener = Polling::builder(raw)
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
                settings.telegram.webhook.clone().ok_or_else(|| {
                    BotError::Config("webhook mode needs [telegram.webhook]".into())
                })?;
            let url = reqwest::Url::parse(&hook.url)
                .map_err(|e| BotError::Config(format!("telegram.webhook.url: {e}")))?;
            let options = webhooks::Options::new(hook.listen, url.clone())
                .secret_token(hook.secret_token.clone());
            // Bound before Telegram is told, so the first update finds it.
            let tcp = tokio::net::TcpListener::bind(hook.listen)
                .await
                .map_err(|e| BotError::Webhook(format!("listen on {}: {e}", hook.listen)))?;
            bot.send(bot.set_webhook(url).secret_token(hook.secret_token.clone()))
                .await?;
            // Not teloxide's `webhooks::axum`: it deletes the webhook when it
            // stops, and replicas share one webhook, so stopping one would
            // silence them all. The server runs here and leaves it set.
            let (mut listener, stop_flag, router) = webhooks::axum_no_setup(options);
            let router = guard_webhook(router, hook.secret_token.clone());
            let stop_listener = listener.stop_token();
            tokio::spawn(async move {
                let served = axum::serve(tcp, router)
                    .with_graceful_shutdown(stop_flag)
                    .await;
                if let Err(e) = served {
                    tracing::error!("webhook server failed: {e}");
                    stop_listener.stop();
                }
            });
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
    let notifier = Arc::new(TelegramNotifier::new(bot, app.clone()));
    let running = RunningBot {
        shutdown,
        task,
        stopped,
        username: me.username().to_string(),
        _broadcasts: Aborting(sender),
        _web: web,
        web_addr,
    };
    Ok((running, notifier, log))
}

/// The largest update body read (Telegram's updates are a few KiB; a
/// document is a file id, not its bytes).
const WEBHOOK_BODY: usize = 256 * 1024;
/// Updates handled at once by one process; more wait for a turn.
const WEBHOOK_AT_ONCE: usize = 256;

/// The webhook as it faces the network: a request without the secret is
/// refused before its body is read, a body past [`WEBHOOK_BODY`] is
/// refused, and at most [`WEBHOOK_AT_ONCE`] are handled at once.
fn guard_webhook(router: axum::Router, secret: String) -> axum::Router {
    use axum::{
        extract::{DefaultBodyLimit, Request},
        http::StatusCode,
        middleware::Next,
        response::{IntoResponse, Response},
    };
    let secret = std::sync::Arc::new(secret);
    let at_once = std::sync::Arc::new(tokio::sync::Semaphore::new(WEBHOOK_AT_ONCE));
    router
        .layer(DefaultBodyLimit::max(WEBHOOK_BODY))
        .layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let (secret, at_once) = (secret.clone(), at_once.clone());
                async move {
                    let given = request
                        .headers()
                        .get("x-telegram-bot-api-secret-token")
                        .map(|v| v.as_bytes());
                    if !given.is_some_and(|g| constant_eq(g, secret.as_bytes())) {
                        metrics::counter!("numbot_webhook_refused_total").increment(1);
                        return StatusCode::UNAUTHORIZED.into_response();
                    }
                    let Ok(_turn) = at_once.acquire().await else {
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    };
                    let response: Response = next.run(request).await;
                    response
                }
            },
        ))
}

/// Byte strings compared in time that does not depend on where they differ.
fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Deletes the bot's webhook (`numbot webhook delete`). A replica never
/// does this when it stops, since every replica shares the one webhook; an
/// operator does it when webhook mode ends for good.
pub async fn delete_webhook(telegram: &TelegramConfig) -> Result<(), BotError> {
    let api_url = reqwest::Url::parse(&telegram.api_url)
        .map_err(|e| BotError::Config(format!("telegram.api_url: {e}")))?;
    let bot = Tg::new(Bot::new(telegram.token.clone()).set_api_url(api_url), false);
    bot.send(bot.delete_webhook()).await?;
    Ok(())
}
