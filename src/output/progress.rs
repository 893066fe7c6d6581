//! A progress bar on stderr for long runs: shown only when stderr is a
//! terminal, not in CI, not with `--quiet`, and only once the run has taken
//! two seconds, so short runs and pipes never see it.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const DELAY: Duration = Duration::from_secs(2);

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Progress {
    pub fn new(total: usize, quiet: bool) -> Self {
        let wanted = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = wanted.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_bar} {elapsed}")
                    .expect("the template is valid"),
            );
            bar
        });
        Self {
            bar,
            started: Instant::now(),
        }
    }

    /// One more file done.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            if bar.is_hidden() && self.started.elapsed() > DELAY {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
