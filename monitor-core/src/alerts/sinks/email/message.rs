//! The email of one alert: a subject with its state and summary, a plain
//! text body with every field.

use std::fmt::Write as _;

use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;

use crate::alerts::{Alert, AlertStatus};
use crate::clock::rfc3339;

/// Most characters of the summary a subject carries.
const SUBJECT_SUMMARY_CHARS: usize = 120;

pub(super) fn build(
    a: &Alert,
    from: &Mailbox,
    to: &[Mailbox],
    prefix: &str,
) -> Result<Message, lettre::error::Error> {
    let mut builder = Message::builder().from(from.clone());
    for rcpt in to {
        builder = builder.to(rcpt.clone());
    }
    builder
        .subject(subject(a, prefix))
        .header(ContentType::TEXT_PLAIN)
        .body(body(a))
}

fn state(a: &Alert) -> String {
    match a.status {
        AlertStatus::Firing => a.severity.as_str().to_uppercase(),
        AlertStatus::Resolved => "RESOLVED".to_owned(),
    }
}

/// `<prefix>[CRITICAL] db: Timeout in query: <summary>`, on one line.
pub(super) fn subject(a: &Alert, prefix: &str) -> String {
    let mut summary: String = one_line(&a.summary)
        .chars()
        .take(SUBJECT_SUMMARY_CHARS)
        .collect();
    if a.summary.chars().count() > SUBJECT_SUMMARY_CHARS {
        summary.push('…');
    }
    one_line(&format!(
        "{prefix}[{}] {}: {} in {}: {summary}",
        state(a),
        a.service,
        a.error_type,
        a.operation
    ))
}

/// Control characters (line breaks included) as spaces: nothing a caller
/// wrote can start a header or a line of its own.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub(super) fn body(a: &Alert) -> String {
    let mut out = String::new();
    let verb = match a.status {
        AlertStatus::Firing => "firing",
        AlertStatus::Resolved => "resolved",
    };
    let _ = writeln!(
        out,
        "Alert {verb}: {} / {} / {}",
        a.service, a.operation, a.error_type
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Summary:     {}", one_line(&a.summary));
    let _ = writeln!(out, "Status:      {verb}");
    let _ = writeln!(out, "Severity:    {}", a.severity.as_str());
    let _ = writeln!(out, "Service:     {}", a.service);
    let _ = writeln!(out, "Operation:   {}", a.operation);
    let _ = writeln!(out, "Error type:  {}", a.error_type);
    if let Some(client) = &a.client_id {
        let _ = writeln!(out, "Client:      {client}");
    }
    let _ = writeln!(
        out,
        "Occurrences: {} ({} since the previous notice)",
        a.count, a.new_since_last
    );
    let _ = writeln!(out, "Started:     {}", rfc3339::format(a.starts_at));
    let _ = writeln!(out, "Last seen:   {}", rfc3339::format(a.last_seen));
    if let Some(ended) = a.ends_at {
        let _ = writeln!(out, "Resolved:    {}", rfc3339::format(ended));
    }
    let _ = writeln!(out, "Fingerprint: {}", a.fingerprint);
    let _ = writeln!(out, "Route:       {}", a.route);
    out
}
