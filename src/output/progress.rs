//! Progress bars on stderr, shown only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Output;

/// A bar over `len` items; hidden (all calls are no-ops) off a terminal or
/// with `-q`, so callers never need to check.
pub fn progress_bar(out: &Output, len: u64, message: &str) -> ProgressBar {
    if !out.ttys().stderr || out.quiet() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = "{msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_string());
    bar
}
