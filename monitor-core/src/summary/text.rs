//! The few readable lines of a summary a sink receives (a chat message,
//! not a file): totals, the top 3 users, errors by severity, anomalies.

use super::report::Summary;

impl Summary {
    /// A short plain-text rendering, e.g.
    ///
    /// ```text
    /// Daily summary 2026-11-21 (UTC): 12,408 messages from 311 users, p95 245 ms;
    /// errors 17 (critical 1, error 9, warning 7, info 0), error rate 0.14%;
    /// top users: Ada (u-1) 1,204, Bob (u-2) 988, u-7 540; anomalies: 1.
    /// ```
    pub fn text(&self) -> String {
        let t = &self.totals;
        let kind = match self.period {
            super::PeriodKind::Daily => "Daily",
            super::PeriodKind::Weekly => "Weekly",
        };
        let p95 = t.p95_ms.map_or_else(
            || "no response times".to_owned(),
            |p| format!("p95 {p:.0} ms"),
        );
        let errors = match self.errors {
            Some(e) => format!(
                "errors {} (critical {}, error {}, warning {}, info {})",
                grouped(e.total()),
                grouped(e.critical),
                grouped(e.error),
                grouped(e.warning),
                grouped(e.info)
            ),
            None => "errors not kept for this period".to_owned(),
        };
        let rate = t
            .error_rate
            .map(|r| format!(", error rate {:.2}%", r * 100.0))
            .unwrap_or_default();
        let top: Vec<String> = self
            .top_users
            .users
            .iter()
            .take(3)
            .map(|u| match &u.user_name {
                Some(name) => format!("{name} ({}) {}", u.user_id, grouped(u.count)),
                None => format!("{} {}", u.user_id, grouped(u.count)),
            })
            .collect();
        let top = if top.is_empty() {
            "none".to_owned()
        } else {
            top.join(", ")
        };
        let anomalies = self
            .anomalies
            .as_ref()
            .map_or_else(|| "not known".to_owned(), |a| a.len().to_string());
        format!(
            "{kind} summary {} (UTC): {} messages from {} users, {p95}; {errors}{rate}; top users: {top}; anomalies: {anomalies}.",
            self.name,
            grouped(t.messages),
            grouped(t.unique_users),
        )
    }
}

/// `n` with thousands separated by commas.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1_000), "1,000");
        assert_eq!(super::grouped(12_345_678), "12,345,678");
    }
}
