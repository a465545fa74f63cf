//! Where `/metrics` text comes from: a `metrics-exporter-prometheus`
//! recorder, fed from the monitor's figures at scrape time.
//!
//! Three set-ups, in order of preference:
//! - the host installed a Prometheus recorder itself and passes its
//!   [`PrometheusHandle`] ([`RouterConfig::prometheus`](crate::RouterConfig::prometheus)):
//!   its own `metrics::` series and the monitor's render together;
//! - nothing is installed: the first router installs one process-wide
//!   recorder, shared by every router after it, and the host's `metrics::`
//!   calls land in it too;
//! - another kind of recorder is installed (statsd, OpenTelemetry…): the
//!   monitor keeps a private Prometheus recorder and publishes into it
//!   with `metrics::with_local_recorder`, so `/metrics` still shows the
//!   monitor's series (the host's go to its own recorder). Logged once.

use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// A Prometheus recorder `/metrics` renders.
#[derive(Clone)]
pub(crate) struct Exporter {
    handle: PrometheusHandle,
    /// Set when the recorder is not the global one: publish into it
    /// locally.
    private: Option<Arc<PrometheusRecorder>>,
}

impl Exporter {
    /// The host's own recorder, installed globally by the host.
    pub(crate) fn host(handle: PrometheusHandle) -> Self {
        Exporter {
            handle,
            private: None,
        }
    }

    /// The process-wide recorder, installed on first use (see the module
    /// doc for what happens when another recorder is there first).
    pub(crate) fn shared() -> Self {
        static SHARED: OnceLock<Exporter> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                let recorder = PrometheusBuilder::new().build_recorder();
                let handle = recorder.handle();
                match metrics::set_global_recorder(recorder) {
                    Ok(()) => Exporter {
                        handle,
                        private: None,
                    },
                    Err(e) => {
                        tracing::warn!(
                            "another `metrics` recorder is installed: /metrics shows the \
                             monitor's own series only (pass a PrometheusHandle to \
                             RouterConfig::prometheus to render the host's too)"
                        );
                        Exporter {
                            handle,
                            private: Some(Arc::new(e.into_inner())),
                        }
                    }
                }
            })
            .clone()
    }

    /// Runs `publish` against this recorder, then renders the exposition
    /// text.
    pub(crate) fn render(&self, publish: impl FnOnce()) -> String {
        match &self.private {
            Some(recorder) => metrics::with_local_recorder(&**recorder, publish),
            None => publish(),
        }
        self.handle.run_upkeep();
        self.handle.render()
    }
}
