//! A process's resident memory and CPU time from Linux's `/proc`, for the
//! load tools (`ws_fanout`, `soak`) that measure a server running in a
//! child process. Two fields of two files: a crate would bring far more
//! than it saves here.

use std::io;

/// Kernel clock ticks per second, the unit of `/proc/PID/stat` CPU times
/// (100 on every Linux this runs on).
pub const CLK_TCK: f64 = 100.0;

/// Resident memory of process `pid` (`"self"` for this one) in KiB:
/// `VmRSS` of `/proc/PID/status`.
pub fn rss_kib(pid: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status_field(&status, "VmRSS:")
}

/// Peak resident memory of process `pid` in KiB: `VmHWM`.
pub fn peak_rss_kib(pid: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status_field(&status, "VmHWM:")
}

/// User plus system CPU time of process `pid` so far, in clock ticks
/// ([`CLK_TCK`] a second).
pub fn cpu_ticks(pid: &str) -> io::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    stat_cpu_ticks(&stat).ok_or_else(|| bad("/proc/PID/stat without utime and stime"))
}

fn status_field(status: &str, name: &str) -> io::Result<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad(&format!("/proc/PID/status without {name}")))
}

/// utime + stime: fields 14 and 15 of `stat`, counted after the command
/// name's closing parenthesis (the name may hold spaces).
fn stat_cpu_ticks(stat: &str) -> Option<u64> {
    let after = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = after.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        assert!(rss_kib("self").expect("VmRSS") > 0);
        assert!(peak_rss_kib("self").expect("VmHWM") >= rss_kib("self").expect("VmRSS") / 2);
        cpu_ticks("self").expect("utime and stime");
    }

    #[test]
    fn a_command_name_with_spaces_and_parentheses() {
        let stat = "42 (my (odd) bot) S 1 42 42 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1";
        assert_eq!(stat_cpu_ticks(stat), Some(10));
        assert_eq!(stat_cpu_ticks("42 (x) S 1"), None);
    }
}
