//! Lists of items written as they arrive, in every output format, so
//! `list --all` over 100,000 records keeps memory flat (except for a table on
//! a terminal, which must see every row to size its columns).

use std::io::{self, BufWriter, Stdout, Write};

use comfy_table::{presets, Cell as TableCell, Color, ContentArrangement, Table};
use serde::Serialize;

use super::{Format, Output};

/// How a cell should look on a colour terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Warn,
    Bad,
    Dim,
    Strong,
}

impl Tone {
    /// The SGR code of the tone, if it has one.
    pub fn ansi(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Good => Some("32"),
            Tone::Warn => Some("33"),
            Tone::Bad => Some("31"),
            Tone::Dim => Some("2"),
            Tone::Strong => Some("1"),
        }
    }

    fn table_color(self) -> Option<Color> {
        match self {
            Tone::Good => Some(Color::Green),
            Tone::Warn => Some(Color::Yellow),
            Tone::Bad => Some(Color::Red),
            Tone::Dim => Some(Color::DarkGrey),
            Tone::Plain | Tone::Strong => None,
        }
    }
}

/// One table cell: the text for people, the text for programs (CSV and
/// tab-separated output: RFC 3339 times, raw codes), and its tone.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub human: String,
    pub machine: String,
    pub tone: Tone,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        Cell {
            human: text.clone(),
            machine: text,
            tone: Tone::Plain,
        }
    }

    pub fn toned(text: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            tone,
            ..Cell::text(text)
        }
    }

    pub fn time(at: chrono::DateTime<chrono::Utc>) -> Cell {
        Cell {
            human: super::human_time(at),
            machine: super::machine_time(at),
            tone: Tone::Plain,
        }
    }

    pub fn optional_time(at: Option<chrono::DateTime<chrono::Utc>>) -> Cell {
        at.map(Cell::time).unwrap_or_else(|| Cell::text(""))
    }
}

/// Something that can be a row of a list: JSON as its serde form, a table
/// row from its cells, `-q` from its id.
pub trait Listable: Serialize {
    /// Column headings of the table and CSV header row.
    const HEADERS: &'static [&'static str];

    /// What `-q` prints, one per line.
    fn id(&self) -> String;

    /// One cell per heading.
    fn cells(&self) -> Vec<Cell>;
}

/// How the rows are written.
enum Sink {
    Quiet,
    Json { first: bool },
    Ndjson,
    Csv(Box<csv::Writer<BufWriter<Stdout>>>),
    Plain,
    HumanTable(Box<Table>),
}

/// Writes items one at a time; call [`ListWriter::finish`] at the end.
pub struct ListWriter<'a, T> {
    out: &'a Output,
    sink: Sink,
    stdout: BufWriter<Stdout>,
    count: usize,
    _items: std::marker::PhantomData<fn(&T)>,
}

impl<'a, T: Listable> ListWriter<'a, T> {
    pub(super) fn new(out: &'a Output) -> io::Result<ListWriter<'a, T>> {
        let sink = match (out.quiet(), out.format()) {
            (true, _) => Sink::Quiet,
            (false, Format::Json) => Sink::Json { first: true },
            (false, Format::Ndjson) => Sink::Ndjson,
            (false, Format::Csv) => Sink::Csv(Box::new(csv_writer::<T>()?)),
            (false, Format::Table) if out.is_human_table() => {
                Sink::HumanTable(Box::new(human_table::<T>(out)))
            }
            (false, Format::Table) => Sink::Plain,
        };
        Ok(ListWriter {
            out,
            sink,
            stdout: BufWriter::new(io::stdout()),
            count: 0,
            _items: std::marker::PhantomData,
        })
    }

    /// Writes (or, for a terminal table, collects) one item.
    pub fn push(&mut self, item: &T) -> io::Result<()> {
        self.count += 1;
        match &mut self.sink {
            Sink::Quiet => writeln!(self.stdout, "{}", item.id()),
            Sink::Json { first } => {
                let separator = if *first { "[\n  " } else { ",\n  " };
                *first = false;
                self.stdout.write_all(separator.as_bytes())?;
                serde_json::to_writer(&mut self.stdout, item).map_err(io::Error::from)
            }
            Sink::Ndjson => {
                serde_json::to_writer(&mut self.stdout, item).map_err(io::Error::from)?;
                self.stdout.write_all(b"\n")
            }
            Sink::Csv(writer) => {
                let row: Vec<String> = item.cells().into_iter().map(|c| c.machine).collect();
                writer.write_record(&row).map_err(csv_io_error)
            }
            Sink::Plain => {
                let row: Vec<String> = item
                    .cells()
                    .into_iter()
                    .map(|c| plain(&c.machine))
                    .collect();
                writeln!(self.stdout, "{}", row.join("\t"))
            }
            Sink::HumanTable(table) => {
                table.add_row(item.cells().into_iter().map(table_cell));
                Ok(())
            }
        }
    }

    /// Pushes every item of a page and flushes, so a reader downstream sees
    /// rows as pages arrive.
    pub fn push_page(&mut self, items: &[T]) -> io::Result<()> {
        for item in items {
            self.push(item)?;
        }
        self.flush()
    }

    pub fn flush(&mut self) -> io::Result<()> {
        if let Sink::Csv(writer) = &mut self.sink {
            writer.flush()?;
        }
        self.stdout.flush()
    }

    /// Ends the list (closes the JSON array, prints the table) and returns
    /// how many items were written.
    pub fn finish(mut self) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Json { first: true } => self.stdout.write_all(b"[]\n")?,
            Sink::Json { first: false } => self.stdout.write_all(b"\n]\n")?,
            Sink::HumanTable(_) if self.count == 0 => self.out.note("no items"),
            Sink::HumanTable(table) => writeln!(self.stdout, "{table}")?,
            _ => {}
        }
        self.flush()?;
        Ok(self.count)
    }
}

fn csv_writer<T: Listable>() -> io::Result<csv::Writer<BufWriter<Stdout>>> {
    let mut writer = csv::Writer::from_writer(BufWriter::new(io::stdout()));
    writer.write_record(T::HEADERS).map_err(csv_io_error)?;
    Ok(writer)
}

fn human_table<T: Listable>(out: &Output) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    match out.width() {
        Some(width) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(width);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if out.color() {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(T::HEADERS.iter().map(|h| h.to_ascii_uppercase()));
    table
}

fn table_cell(cell: Cell) -> TableCell {
    let table_cell = TableCell::new(cell.human);
    match cell.tone.table_color() {
        Some(color) => table_cell.fg(color),
        None => table_cell,
    }
}

/// Tab-separated output must keep one row per line and one field per tab.
fn plain(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

fn csv_io_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}
