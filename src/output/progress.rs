//! Progress bars on stderr, shown only when stderr is a terminal.

use std::fmt;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use super::Output;

/// A bar over `len` items; hidden (all calls are no-ops) off a terminal or
/// with `-q`, so callers never need to check.
pub fn progress_bar(out: &Output, len: u64, message: &str) -> ProgressBar {
    if !out.ttys().stderr || out.quiet() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = "{msg} [{bar:30}] {pos}/{len} ({rate}, eta {eta})";
    if let Ok(style) = ProgressStyle::with_template(template) {
        // indicatif's own `per_sec` prints four decimals; a whole number reads better.
        let style = style.with_key("rate", |state: &ProgressState, w: &mut dyn fmt::Write| {
            let _ = write!(w, "{:.0}/s", state.per_sec());
        });
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_string());
    bar
}
