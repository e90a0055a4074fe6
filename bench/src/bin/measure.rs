//! `measure RESULT.json CMD [ARGS...]`: runs CMD (inheriting stdin/stdout/stderr), then
//! writes `{"seconds":…,"cpu_seconds":…,"max_rss_bytes":…,"exit":…}` to RESULT.json
//! (wall time, user + system CPU time, peak RSS).
//!
//! Peak RSS comes from `wait4` on the child. This launcher exists because Linux carries a
//! process's peak RSS across `exec`: a child forked straight from the Python driver would
//! report at least the driver's own size. Forked from this small process it reports its own.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: measure RESULT.json CMD [ARGS...]");
        std::process::exit(2);
    }
    let started = Instant::now();
    let child = std::process::Command::new(&args[2]).args(&args[3..]).spawn().unwrap_or_else(|e| {
        eprintln!("cannot start {}: {e}", args[2]);
        std::process::exit(127);
    });
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data, filled in by wait4; `pid` is our own child, not yet waited for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    if r != pid {
        eprintln!("wait4 failed: {}", std::io::Error::last_os_error());
        std::process::exit(1);
    }
    let exit = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
    let cpu = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu_seconds = cpu(usage.ru_utime) + cpu(usage.ru_stime);
    let json = format!(
        "{{\"seconds\":{seconds:.6},\"cpu_seconds\":{cpu_seconds:.6},\"max_rss_bytes\":{},\"exit\":{exit}}}\n",
        usage.ru_maxrss as i64 * 1024
    );
    std::fs::write(&args[1], json).expect("cannot write the result file");
    std::process::exit(exit);
}
