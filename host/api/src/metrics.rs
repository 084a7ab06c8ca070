//! `/metrics` in Prometheus' text format. Every crate records through the
//! `metrics` facade; this installs the Prometheus recorder once per process
//! and, at each scrape, sets the gauges read from the pool.

use std::sync::{Arc, OnceLock};

use axum::{extract::State, http::header, response::IntoResponse};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use metrics_util::MetricKindMask;

use crate::ApiState;

/// How long a series lives without an update.
const IDLE: std::time::Duration = std::time::Duration::from_secs(3600);

/// The recorder's handle, to render a scrape.
#[derive(Clone)]
pub struct Metrics(PrometheusHandle);

/// The process's recorder, installed on first use.
pub fn install() -> Metrics {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    Metrics(
        HANDLE
            .get_or_init(|| {
                // Series nobody updated for an hour are dropped: a label that
                // came once (a category since deleted) does not stay forever.
                let recorder = PrometheusBuilder::new()
                    .idle_timeout(MetricKindMask::ALL, Some(IDLE))
                    .set_buckets(&[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                        10.0,
                    ])
                    .expect("buckets")
                    .build_recorder();
                let handle = recorder.handle();
                if metrics::set_global_recorder(recorder).is_err() {
                    tracing::warn!("another metrics recorder was installed first");
                }
                handle
            })
            .clone(),
    )
}

/// Prometheus' text format.
#[utoipa::path(
    get,
    path = "/metrics",
    responses((status = 200, body = String, content_type = "text/plain; version=0.0.4"))
)]
pub(crate) async fn render(State(state): State<Arc<ApiState>>) -> impl IntoResponse {
    if let Ok(categories) = state.numbers.categories().await {
        for (name, available) in categories {
            metrics::gauge!("numbot_available_numbers", "category" => name).set(available as f64);
        }
    }
    let text = state
        .metrics
        .as_ref()
        .map(|m| m.0.render())
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
