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

/// The reporter for this invocation.
pub fn reporter(settings: &Settings) -> Box<dyn Reporter> {
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
            (Some(_), _) => "{msg:20} [{bar:40}] {pos}/{len} {per_sec}",
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
