//! Requests that wait (long polls): at most so many per token and so many
//! in the process, so that one token cannot hold the process's memory and
//! the store's time with hundreds of waits.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use crate::error::ApiError;

/// Waits held now, per token and in all.
pub(crate) struct Waits {
    held: Mutex<(HashMap<i64, u32>, u32)>,
    per_token: u32,
    total: u32,
}

/// A wait held; given back when dropped.
pub(crate) struct Wait {
    waits: Arc<Waits>,
    token: i64,
}

impl Waits {
    pub(crate) fn new(per_token: u32, total: u32) -> Arc<Waits> {
        Arc::new(Waits {
            held: Mutex::default(),
            per_token: per_token.max(1),
            total: total.max(1),
        })
    }

    /// One more wait for `token`, or 429 when it (or the process) holds as
    /// many as it may.
    pub(crate) fn enter(self: &Arc<Self>, token: i64) -> Result<Wait, ApiError> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.1 >= self.total {
            metrics::counter!("numbot_api_waits_refused_total", "scope" => "process").increment(1);
            return Err(ApiError::too_many_waits(false));
        }
        let mine = held.0.entry(token).or_default();
        if *mine >= self.per_token {
            metrics::counter!("numbot_api_waits_refused_total", "scope" => "token").increment(1);
            return Err(ApiError::too_many_waits(true));
        }
        *mine += 1;
        held.1 += 1;
        metrics::gauge!("numbot_api_waits").set(f64::from(held.1));
        Ok(Wait {
            waits: self.clone(),
            token,
        })
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        let mut held = self.waits.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mine) = held.0.get_mut(&self.token) {
            *mine -= 1;
            if *mine == 0 {
                held.0.remove(&self.token);
            }
        }
        held.1 -= 1;
        metrics::gauge!("numbot_api_waits").set(f64::from(held.1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_capped_per_token_and_in_all() {
        let waits = Waits::new(2, 3);
        let a = waits.enter(1).unwrap();
        let _b = waits.enter(1).unwrap();
        assert_eq!(waits.enter(1).err().unwrap().code(), "too_many_waits");
        let _c = waits.enter(2).unwrap();
        assert!(waits.enter(3).is_err(), "the process is full");
        drop(a);
        assert!(waits.enter(1).is_ok(), "one given back");
    }
}
