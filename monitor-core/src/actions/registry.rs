//! [`Actions`]: the registry of operator actions, and starting runs.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::SystemTime;

use parking_lot::{Mutex, RwLock};

use super::context::ActionContext;
use super::error::{RegisterError, RunError};
use super::params::ActionParams;
use super::run::{RunGuard, supervise};
use super::spec::{ActionSpec, MAX_ACTIONS};
use super::view::{RunCounts, RunStarted, RunView};
use crate::activity::{ActivityMeta, ActivityTracker};
use crate::audit::Actor;
use crate::clock::Clock;

/// The activity kind runs and their steps are tracked under.
pub const ACTION_KIND: &str = "action";
/// Finished runs kept per action for [`ActionView::last`](super::ActionView::last).
pub const LAST_RUNS: usize = 10;

/// What a handler returns: `Ok(summary)` or `Err(message)`, both shown
/// to operators.
pub type ActionResult = Result<String, String>;
/// The boxed future of a handler.
pub type ActionFuture = Pin<Box<dyn Future<Output = ActionResult> + Send + 'static>>;
pub(crate) type Handler = Arc<dyn Fn(ActionContext) -> ActionFuture + Send + Sync>;

/// The monitor's operator actions: named, described, async handlers that
/// admins start from the API; see the [module docs](super). Cheap to
/// clone.
#[derive(Clone)]
pub struct Actions {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) tracker: ActivityTracker,
    pub(crate) clock: Clock,
    runtime: tokio::runtime::Handle,
    pub(super) entries: RwLock<BTreeMap<String, Arc<Entry>>>,
    pub(super) refused_registrations: AtomicU64,
}

pub(crate) struct Entry {
    pub(crate) spec: ActionSpec,
    handler: Handler,
    pub(crate) state: Mutex<EntryState>,
}

pub(crate) struct EntryState {
    /// Oldest first.
    pub(crate) running: Vec<RunView>,
    /// Newest first.
    pub(crate) last: VecDeque<RunView>,
    pub(crate) counts: RunCounts,
}

impl Actions {
    /// A registry whose runs are tracked by `tracker` (kind `action`) and
    /// spawned on `runtime`.
    pub(crate) fn new(
        tracker: ActivityTracker,
        clock: Clock,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        Actions {
            inner: Arc::new(Inner {
                tracker,
                clock,
                runtime,
                entries: RwLock::new(BTreeMap::new()),
                refused_registrations: AtomicU64::new(0),
            }),
        }
    }

    /// Registers action `name` (SPEC §2.12 spelling), one run at a time;
    /// see [`register_with`](Self::register_with) for the other settings.
    pub fn register<F, Fut>(
        &self,
        name: &str,
        description: &str,
        handler: F,
    ) -> Result<(), RegisterError>
    where
        F: Fn(ActionContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ActionResult> + Send + 'static,
    {
        self.register_with(ActionSpec::new(name, description), handler)
    }

    /// Registers the action `spec` describes, run by `handler`. Refused
    /// for an invalid or taken name, and past [`MAX_ACTIONS`] (counted).
    pub fn register_with<F, Fut>(&self, spec: ActionSpec, handler: F) -> Result<(), RegisterError>
    where
        F: Fn(ActionContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ActionResult> + Send + 'static,
    {
        spec.check_name()?;
        let mut entries = self.inner.entries.write();
        if entries.contains_key(&spec.name) {
            return Err(RegisterError::Duplicate(spec.name));
        }
        if entries.len() >= MAX_ACTIONS {
            self.inner.refused_registrations.fetch_add(1, Relaxed);
            return Err(RegisterError::TooMany { limit: MAX_ACTIONS });
        }
        let handler: Handler = Arc::new(move |ctx| Box::pin(handler(ctx)) as ActionFuture);
        let entry = Entry {
            spec: spec.clone(),
            handler,
            state: Mutex::new(EntryState {
                running: Vec::new(),
                last: VecDeque::new(),
                counts: RunCounts::default(),
            }),
        };
        entries.insert(spec.name, Arc::new(entry));
        Ok(())
    }

    /// Starts a run of `name` with `params` for `requested_by`, on the
    /// monitor's runtime; returns at once with the run's id. The run is an
    /// activity of kind [`ACTION_KIND`] (`action:started`, `:progress`,
    /// `:ended` on the `calls` channel), its outcome the [`RunResult`](super::RunResult).
    ///
    /// Refused (and counted) when the action is running and does not
    /// allow concurrency, or runs its `max_concurrent` runs already.
    pub fn run(
        &self,
        name: &str,
        params: ActionParams,
        requested_by: Actor,
    ) -> Result<RunStarted, RunError> {
        let entry = self
            .inner
            .entries
            .read()
            .get(name)
            .cloned()
            .ok_or_else(|| RunError::Unknown(name.chars().take(64).collect()))?;
        let spec = &entry.spec;
        let (run_id, started_at) = {
            let mut st = entry.state.lock();
            if st.running.len() >= spec.run_limit() {
                st.counts.refused += 1;
                return Err(if spec.concurrent {
                    RunError::TooManyRuns {
                        action: spec.name.clone(),
                        limit: spec.run_limit(),
                    }
                } else {
                    RunError::AlreadyRunning {
                        action: spec.name.clone(),
                        run_id: st.running[0].run_id.clone(),
                    }
                });
            }
            // 48 random bits: unique across restarts too (restored recent
            // runs keep their ids).
            let run_id = format!("{}-{:012x}", spec.name, rand::random::<u64>() >> 16);
            let mut meta = ActivityMeta::new()
                .category(spec.name.as_str())
                .attr("requested_by", requested_by.to_string());
            for (key, value) in params.iter() {
                let value = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                meta = meta.attr(format!("param.{key}"), value);
            }
            if let Err(e) = self.inner.tracker.start(&run_id, meta) {
                st.counts.refused += 1;
                return Err(RunError::Activity(e));
            }
            let started_at = self.inner.clock.now();
            st.counts.started += 1;
            st.running.push(RunView {
                run_id: run_id.clone(),
                action: spec.name.clone(),
                requested_by: requested_by.clone(),
                started_at,
                ended_at: None,
                duration_ms: 0,
                progress_pct: None,
                note: None,
                result: None,
                message: None,
            });
            (run_id, started_at)
        };
        let ctx = ActionContext {
            run_id: run_id.clone(),
            action: spec.name.clone(),
            params,
            requested_by,
            tracker: self.inner.tracker.clone(),
            steps: Arc::new(AtomicUsize::new(0)),
        };
        let guard = RunGuard::new(self.inner.clone(), entry.clone(), run_id.clone());
        let handler = entry.handler.clone();
        let runtime = self.inner.runtime.clone();
        self.inner
            .runtime
            .spawn(supervise(guard, handler, ctx, spec.timeout, runtime));
        Ok(RunStarted {
            run_id,
            action: spec.name.clone(),
            kind: ACTION_KIND.to_owned(),
            started_at,
        })
    }
}

pub(crate) fn since_ms(from: SystemTime, to: SystemTime) -> u64 {
    to.duration_since(from)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
