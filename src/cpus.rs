//! Which CPUs the counter's threads run on. On a kiosk of two cores or more
//! the first CPU the counter may use is kept for the clerk's screen: the
//! threads that work in the background (sled's flusher and its IO threads,
//! the forwarder and its senders, the printer, the card reader, the control
//! socket) keep off it, so a backlog being forwarded, sled cleaning its
//! segments or a receipt being rendered never takes the screen's turn.
//! Threads inherit their CPUs from the thread that starts them, so the
//! counter starts them all from a thread that keeps off the first CPU, then
//! gives the screen's thread every CPU back. Nothing changes on one CPU.

use std::sync::atomic::{AtomicI64, Ordering};

use rustix::io::Errno;
use rustix::thread::{sched_getaffinity, sched_setaffinity, CpuSet};

/// The calling thread's CPUs before it kept off the screen's: it gets them
/// back when this is given back or dropped (on the way out of an error too).
pub struct SetAside {
    allowed: CpuSet,
    screen: usize,
    given: bool,
}

impl SetAside {
    /// The CPU kept for the screen.
    pub fn screen(&self) -> usize {
        self.screen
    }

    /// The calling thread keeps off the screen's CPU for good (the CPU).
    pub fn for_good(mut self) -> usize {
        self.given = true;
        self.screen
    }

    /// The calling thread may use every CPU it had again (the threads it
    /// started meanwhile keep off the screen's).
    pub fn give_back(mut self) -> Result<(), Errno> {
        let given = sched_setaffinity(None, &self.allowed);
        self.given = true;
        given
    }
}

impl Drop for SetAside {
    fn drop(&mut self) {
        if !self.given {
            let _ = sched_setaffinity(None, &self.allowed);
        }
    }
}

/// The screen's CPU, once a thread kept off it (-1: none yet).
static SCREENS_CPU: AtomicI64 = AtomicI64::new(-1);

/// Keeps the calling thread off the screen's CPU, and so every thread it
/// starts from now on. The screen's CPU is the first one the first thread
/// to call this could use; a thread off it already is left as it is. None
/// when nothing changed: one CPU, or the thread is off it already.
pub fn keep_off_the_screens_cpu() -> Result<Option<SetAside>, Errno> {
    let allowed = sched_getaffinity(None)?;
    let first = (0..CpuSet::MAX_CPU).find(|&cpu| allowed.is_set(cpu)).map(|cpu| cpu as i64).unwrap_or(-1);
    let screen = match SCREENS_CPU.compare_exchange(-1, first, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => first,
        Err(kept) => kept,
    };
    let Ok(screen) = usize::try_from(screen) else { return Ok(None) };
    if !allowed.is_set(screen) || allowed.count() < 2 {
        return Ok(None);
    }
    let mut rest = allowed;
    rest.unset(screen);
    sched_setaffinity(None, &rest)?;
    Ok(Some(SetAside { allowed, screen, given: false }))
}

/// The CPUs a thread of this process may use, from /proc (`Cpus_allowed_list`, e.g. "1" or "0-1").
pub fn allowed_list(task: &std::path::Path) -> Option<String> {
    let status = std::fs::read_to_string(task.join("status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:")).map(|l| l.trim().to_owned())
}

/// Whether a CPU list like "0-3,5" names `cpu`.
pub fn cpu_list_has(list: &str, cpu: usize) -> bool {
    list.split(',').any(|part| match part.trim().split_once('-') {
        Some((a, b)) => a.parse::<usize>().is_ok_and(|a| a <= cpu) && b.parse::<usize>().is_ok_and(|b| cpu <= b),
        None => part.trim().parse::<usize>().is_ok_and(|c| c == cpu),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_that_set_the_screens_cpu_aside_starts_threads_off_it_and_gets_it_back() {
        // In a thread of its own: the test harness's threads keep their CPUs.
        std::thread::spawn(|| {
            let before = allowed_list(std::path::Path::new("/proc/thread-self")).expect("our CPUs");
            let Some(aside) = keep_off_the_screens_cpu().expect("affinity") else {
                return; // one CPU: nothing to set aside
            };
            let started = std::thread::spawn(|| allowed_list(std::path::Path::new("/proc/thread-self")))
                .join()
                .expect("the thread ran")
                .expect("its CPUs");
            assert!(
                !cpu_list_has(&started, aside.screen()),
                "a thread started meanwhile may use CPU {}: {started}",
                aside.screen()
            );
            aside.give_back().expect("affinity");
            let after = allowed_list(std::path::Path::new("/proc/thread-self")).expect("our CPUs");
            assert_eq!(after, before, "the thread has every CPU back");
        })
        .join()
        .expect("the test thread");
    }
}
