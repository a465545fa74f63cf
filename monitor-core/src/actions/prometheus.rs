//! The actions' series on the `metrics` facade.

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};

use super::registry::Actions;
use super::view::RunResult;

impl Actions {
    /// Sets `monitor_action_runs_total{action,result}` (results
    /// `succeeded|failed|panicked|timed_out|cancelled|refused`) and
    /// `monitor_action_running{action}` on the installed `metrics`
    /// recorder. Labels are bounded: at most
    /// [`MAX_ACTIONS`](super::MAX_ACTIONS) names, six results.
    pub fn publish_metrics(&self) {
        let actions = self.list();
        if actions.is_empty() {
            return;
        }
        describe_counter!(
            "monitor_action_runs_total",
            Unit::Count,
            "Operator action runs by how they ended (refused: not started)."
        );
        describe_gauge!(
            "monitor_action_running",
            Unit::Count,
            "Operator action runs in progress."
        );
        for action in actions {
            let name = action.name;
            for result in RunResult::ALL {
                counter!("monitor_action_runs_total", "action" => name.clone(), "result" => result.as_str())
                    .absolute(action.counts.ended(result));
            }
            counter!("monitor_action_runs_total", "action" => name.clone(), "result" => "refused")
                .absolute(action.counts.refused);
            gauge!("monitor_action_running", "action" => name).set(action.running.len() as f64);
        }
    }
}
