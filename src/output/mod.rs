//! Everything the CLI prints: data on stdout in the chosen format, chatter
//! and errors on stderr, progress bars on a terminal.
//!
//! stdout is data: a table on a terminal, tab-separated text on a pipe, or
//! exactly the documented JSON / NDJSON / CSV. stderr is everything else;
//! "✓ done" chatter appears only when stderr is a terminal. A closed pipe
//! downstream (`| head`) surfaces as an `io::ErrorKind::BrokenPipe` error,
//! which `main` treats as a quiet success.

mod list;
mod progress;
mod rows;
mod time;

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use crate::error::CliError;

pub use list::{Cell, ListWriter, Listable, Tone};
pub use progress::progress_bar;
pub use rows::{action_name, status_tone};
pub use time::{human_time, machine_time};

/// A line on stderr. Unlike `eprintln!` it never panics: with stderr closed
/// there is nobody to tell, so the line is dropped.
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr(), $($arg)*);
    }};
}

/// `-o/--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// A table on a terminal; tab-separated text on a pipe.
    #[default]
    Table,
    /// One JSON document (lists are arrays).
    Json,
    /// One JSON object per line, streamed.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

/// Whether each standard stream is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttys {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

impl Ttys {
    pub fn detect() -> Ttys {
        Ttys {
            stdin: io::stdin().is_terminal(),
            stdout: io::stdout().is_terminal(),
            stderr: io::stderr().is_terminal(),
        }
    }
}

/// The output settings and the writers, built once in `main`.
#[derive(Debug, Clone)]
pub struct Output {
    format: Format,
    quiet: bool,
    color: bool,
    color_stderr: bool,
    ttys: Ttys,
    width: Option<u16>,
}

impl Output {
    /// `no_color` is `--no-color` or a non-empty `NO_COLOR`. Colour needs a
    /// terminal on stdout as well.
    pub fn new(format: Format, quiet: bool, no_color: bool, ttys: Ttys) -> Output {
        // A pseudo-terminal without a size reports 0 columns; a table squeezed
        // into that is unreadable, so tiny widths count as unknown.
        let width = terminal_size::terminal_size()
            .map(|(w, _)| w.0)
            .filter(|w| *w >= 40);
        Output {
            format,
            quiet,
            color: ttys.stdout && !no_color,
            color_stderr: ttys.stderr && !no_color,
            ttys,
            width,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// JSON or NDJSON: output meant for programs.
    pub fn is_json(&self) -> bool {
        matches!(self.format, Format::Json | Format::Ndjson)
    }

    pub fn color(&self) -> bool {
        self.color
    }

    pub fn ttys(&self) -> Ttys {
        self.ttys
    }

    /// A table for people: `-o table` on a terminal.
    pub fn is_human_table(&self) -> bool {
        self.format == Format::Table && self.ttys.stdout && !self.quiet
    }

    pub fn width(&self) -> Option<u16> {
        self.width
    }

    /// Success chatter ("✓ logged in as demo") for a person watching.
    pub fn chatter(&self, message: impl Display) {
        if self.ttys.stderr && !self.quiet {
            stderr_line!("{} {message}", self.paint_stderr("✓", Tone::Good));
        }
    }

    /// A warning or note that scripts may also want to see; always on stderr.
    pub fn note(&self, message: impl Display) {
        stderr_line!("note: {message}");
    }

    pub fn warn(&self, message: impl Display) {
        stderr_line!("{} {message}", self.paint_stderr("warning:", Tone::Warn));
    }

    /// One value as JSON on stdout: pretty for `json`, one line for `ndjson`.
    pub fn json(&self, value: &(impl Serialize + ?Sized)) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        match self.format {
            Format::Ndjson => serde_json::to_writer(&mut stdout, value)?,
            _ => serde_json::to_writer_pretty(&mut stdout, value)?,
        }
        writeln!(stdout)?;
        stdout.flush()
    }

    /// A line of plain text on stdout.
    pub fn line(&self, text: impl Display) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        writeln!(stdout, "{text}")?;
        stdout.flush()
    }

    /// A list writer for items of type `T` in the chosen format.
    pub fn list<T: Listable>(&self) -> io::Result<ListWriter<'_, T>> {
        ListWriter::new(self)
    }

    /// Labelled fields of one thing ("show", "whoami") for people: aligned
    /// `label: value` lines under an optional heading.
    pub fn fields<L: AsRef<str>>(
        &self,
        heading: Option<&str>,
        fields: &[(L, String)],
    ) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        if let Some(heading) = heading {
            writeln!(stdout, "{}", self.paint(heading, Tone::Strong))?;
        }
        let width = fields
            .iter()
            .map(|(label, _)| label.as_ref().chars().count())
            .max();
        let width = width.unwrap_or(0);
        for (label, value) in fields {
            writeln!(stdout, "  {:<width$}  {value}", label.as_ref())?;
        }
        stdout.flush()
    }

    /// A failure on stderr: text with a hint, or the JSON error object.
    pub fn error(&self, err: &CliError) {
        if self.is_json() {
            let body = serde_json::json!({ "error": err });
            stderr_line!("{body}");
            return;
        }
        stderr_line!("{} {}", self.paint_stderr("error:", Tone::Bad), err.message);
        if let Some(hint) = &err.hint {
            stderr_line!("{} {hint}", self.paint_stderr("hint:", Tone::Dim));
        }
        let mut context = Vec::new();
        if let Some(code) = &err.code {
            context.push(format!("code: {code}"));
        }
        if let Some(request_id) = &err.request_id {
            context.push(format!("request id: {request_id}"));
        }
        if !context.is_empty() {
            stderr_line!("  ({})", context.join(", "));
        }
    }

    /// Text with ANSI colour when stdout is a colour terminal.
    pub fn paint(&self, text: &str, tone: Tone) -> String {
        paint(text, tone, self.color)
    }

    fn paint_stderr(&self, text: &str, tone: Tone) -> String {
        paint(text, tone, self.color_stderr)
    }
}

fn paint(text: &str, tone: Tone, color: bool) -> String {
    match tone.ansi().filter(|_| color) {
        Some(code) => format!("\x1b[{code}m{text}\x1b[0m"),
        None => text.to_string(),
    }
}
