//! Mini App sessions: launch data Telegram signed for a user, checked by
//! the front end, is exchanged here once for a session.

use crate::{clock::unix_now, sessions::WebSession, text::sha256_hex, users::UserStoreError};

use super::Numbers;

impl Numbers {
    /// A session for `user`, lasting `lasts` seconds, in exchange for launch
    /// data `launch` (its bytes) that stays acceptable until
    /// `launch_until`: its secret and the session; `None` when that launch
    /// data was exchanged before.
    pub async fn open_web_session(
        &self,
        user: i64,
        launch: &[u8],
        launch_until: i64,
        lasts: i64,
    ) -> Result<Option<(String, WebSession)>, UserStoreError> {
        let secret = hex::encode(rand::random::<[u8; 32]>());
        let session = WebSession {
            user,
            csrf: hex::encode(rand::random::<[u8; 16]>()),
            expires_at: unix_now() + lasts,
        };
        let kept = self
            .records
            .sessions
            .open_session(
                &sha256_hex(launch, 32),
                launch_until,
                &sha256_hex(secret.as_bytes(), 32),
                session.clone(),
            )
            .await?;
        Ok(kept.then_some((secret, session)))
    }

    /// The live session whose secret is `secret`.
    pub async fn web_session(&self, secret: &str) -> Result<Option<WebSession>, UserStoreError> {
        self.records
            .sessions
            .session(&sha256_hex(secret.as_bytes(), 32), unix_now())
            .await
    }
}
