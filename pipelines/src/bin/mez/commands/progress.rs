//! Progress bars: indicatif on a terminal, nothing when stderr is not a TTY or `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use pipelines::report::Reporter;

use crate::settings::Settings;

/// A reporter drawing one bar per phase.
#[derive(Debug, Default)]
pub struct Bars {
    bar: Mutex<Option<ProgressBar>>,
}

/// The reporter for this invocation. `MEZ_TIMINGS=1` prints each phase's wall time on
/// stderr instead (for profiling benchmarks).
pub fn reporter(settings: &Settings) -> Box<dyn Reporter> {
    if std::env::var("MEZ_TIMINGS").as_deref() == Ok("1") {
        return Box::new(Timings::default());
    }
    if settings.quiet || !std::io::stderr().is_terminal() {
        Box::new(pipelines::report::Silent)
    } else {
        Box::new(Bars::default())
    }
}

impl Reporter for Bars {
    fn start(&self, phase: &str, total: Option<u64>, unit: &str) {
        let bar = match total {
            Some(t) => ProgressBar::new(t),
            None => ProgressBar::new_spinner(),
        };
        let template = match (total, unit) {
            (Some(_), "bytes") => {
                "{msg:20} [{bar:40}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}"
            }
            (Some(_), _) => "{msg:20} [{bar:40}] {pos}/{len} {per_sec} eta {eta}",
            (None, _) => "{msg:20} {spinner} {elapsed}",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(phase.to_owned());
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}

/// Prints the wall time of each phase.
#[derive(Debug, Default)]
pub struct Timings {
    current: Mutex<Option<(String, std::time::Instant)>>,
}

impl Reporter for Timings {
    fn start(&self, phase: &str, _: Option<u64>, _: &str) {
        if let Ok(mut slot) = self.current.lock() {
            *slot = Some((phase.to_owned(), std::time::Instant::now()));
        }
    }

    fn advance(&self, _: u64) {}

    fn finish(&self) {
        if let Ok(mut slot) = self.current.lock()
            && let Some((phase, started)) = slot.take()
        {
            eprintln!("{phase:20} {:>8.3} s", started.elapsed().as_secs_f64());
        }
    }
}
