//! The batch input parser: turns the bytes of `cancel-batch --file` into
//! record ids, or into a list of every bad line with its line number.
//!
//! Accepted shapes: one id per line (blank lines and `#` comments allowed,
//! also after an id), or CSV whose header row has an `id` column (other
//! columns ignored). A UTF-8 byte order mark and CRLF line ends are fine.
//! Invalid UTF-8 and lines longer than [`MAX_LINE_BYTES`] are rejected.
//! Nothing is sent before the whole input is known to be good, so the
//! parser collects every problem instead of stopping at the first.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead};

use apptctl_api::{IdError, RecordId};

/// Longest line accepted. Far longer than any sensible CSV row; it keeps a
/// file without line breaks (a binary, a minified JSON) from being held in
/// memory as one line.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// The ids of a good input, in first-seen order, without duplicates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchInput {
    pub ids: Vec<RecordId>,
    /// Ids seen again after their first line; dropped, reported as a note.
    pub duplicates: Vec<Duplicate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate {
    pub line: usize,
    pub first_line: usize,
    pub id: RecordId,
}

/// One bad line. Line numbers count from 1, as editors show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub problem: LineProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    #[error("not valid UTF-8")]
    InvalidUtf8,
    #[error("line is longer than {MAX_LINE_BYTES} bytes")]
    TooLong,
    #[error("{0}")]
    BadId(IdError),
    #[error("the CSV header has no `id` column")]
    NoIdColumn,
    #[error("the row has no value in the `id` column (column {0})")]
    MissingColumn(usize),
    #[error("unbalanced quotes in a CSV row")]
    BadQuoting,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

/// Why a whole input was refused.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{} bad line(s) in the batch input", .0.len())]
    BadLines(Vec<LineError>),
    #[error("could not read the batch input: {0}")]
    Io(#[from] io::Error),
}

/// Reads and checks a whole batch input.
pub fn parse_reader(reader: impl BufRead) -> Result<BatchInput, InputError> {
    let mut parser = Parser::default();
    let mut lines = LineReader::new(reader);

    while let Some(line) = lines.next_line()? {
        parser.feed(line);
    }

    parser.finish()
}

/// [`parse_reader`] over bytes already in memory.
pub fn parse_bytes(bytes: &[u8]) -> Result<BatchInput, InputError> {
    parse_reader(bytes)
}

/// One physical line: its number and its bytes, or the fact that it was
/// too long (its bytes are then skipped, not kept).
struct RawLine<'a> {
    number: usize,
    bytes: Option<&'a [u8]>,
}

/// Splits a reader into lines without ever buffering more than
/// [`MAX_LINE_BYTES`] of one line.
struct LineReader<R> {
    reader: R,
    buffer: Vec<u8>,
    number: usize,
}

impl<R: BufRead> LineReader<R> {
    fn new(reader: R) -> Self {
        LineReader {
            reader,
            buffer: Vec::with_capacity(256),
            number: 0,
        }
    }

    fn next_line(&mut self) -> io::Result<Option<RawLine<'_>>> {
        self.buffer.clear();
        let mut too_long = false;
        let mut read_any = false;

        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            read_any = true;

            let newline = available.iter().position(|&b| b == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            if !too_long {
                let content = newline.map_or(available, |at| &available[..at]);
                if self.buffer.len() + content.len() > MAX_LINE_BYTES {
                    too_long = true;
                    self.buffer.clear();
                } else {
                    self.buffer.extend_from_slice(content);
                }
            }
            self.reader.consume(take);

            if newline.is_some() {
                break;
            }
        }

        if !read_any {
            return Ok(None);
        }
        self.number += 1;
        let bytes = (!too_long).then_some(self.buffer.as_slice());
        Ok(Some(RawLine {
            number: self.number,
            bytes,
        }))
    }
}

/// How the data lines are read, decided by the first meaningful line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Undecided,
    Plain,
    /// CSV; the zero-based index of the `id` column.
    Csv(usize),
    /// CSV whose header has no `id` column: every row is unusable, and the
    /// header line already carries the error.
    CsvWithoutId,
}

#[derive(Default)]
struct Parser {
    shape: Option<Shape>,
    ids: Vec<RecordId>,
    first_seen: HashMap<RecordId, usize>,
    duplicates: Vec<Duplicate>,
    errors: Vec<LineError>,
}

impl Parser {
    fn feed(&mut self, raw: RawLine<'_>) {
        let number = raw.number;
        let Some(mut bytes) = raw.bytes else {
            return self.reject(number, LineProblem::TooLong);
        };

        if number == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            return self.reject(number, LineProblem::InvalidUtf8);
        };
        let text = text.strip_suffix('\r').unwrap_or(text);

        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return;
        }

        match self.shape.unwrap_or(Shape::Undecided) {
            Shape::Undecided => self.read_first(number, trimmed),
            Shape::Plain => self.read_plain(number, trimmed),
            Shape::Csv(column) => self.read_csv_row(number, trimmed, column),
            Shape::CsvWithoutId => {}
        }
    }

    /// The first meaningful line is a CSV header when it has a comma or is
    /// the single word `id`; a record id never contains either.
    fn read_first(&mut self, number: usize, line: &str) {
        let is_header = line.contains(',') || line.eq_ignore_ascii_case("id");
        if !is_header {
            self.shape = Some(Shape::Plain);
            return self.read_plain(number, line);
        }

        let Some(fields) = split_csv_row(line) else {
            self.shape = Some(Shape::CsvWithoutId);
            return self.reject(number, LineProblem::BadQuoting);
        };
        match fields
            .iter()
            .position(|f| f.trim().eq_ignore_ascii_case("id"))
        {
            Some(column) => self.shape = Some(Shape::Csv(column)),
            None => {
                self.shape = Some(Shape::CsvWithoutId);
                self.reject(number, LineProblem::NoIdColumn);
            }
        }
    }

    fn read_plain(&mut self, number: usize, line: &str) {
        // Ids never contain '#', so whatever follows one is a comment.
        let id_text = line.split('#').next().unwrap_or_default();
        self.accept(number, id_text);
    }

    fn read_csv_row(&mut self, number: usize, line: &str, column: usize) {
        let Some(fields) = split_csv_row(line) else {
            return self.reject(number, LineProblem::BadQuoting);
        };
        match fields.get(column) {
            Some(value) => self.accept(number, value),
            None => self.reject(number, LineProblem::MissingColumn(column + 1)),
        }
    }

    fn accept(&mut self, number: usize, id_text: &str) {
        let id = match id_text.parse::<RecordId>() {
            Ok(id) => id,
            Err(e) => return self.reject(number, LineProblem::BadId(e)),
        };

        match self.first_seen.get(&id) {
            Some(&first_line) => {
                self.duplicates.push(Duplicate {
                    line: number,
                    first_line,
                    id,
                });
            }
            None => {
                self.first_seen.insert(id, number);
                self.ids.push(id);
            }
        }
    }

    fn reject(&mut self, line: usize, problem: LineProblem) {
        self.errors.push(LineError { line, problem });
    }

    fn finish(self) -> Result<BatchInput, InputError> {
        if !self.errors.is_empty() {
            return Err(InputError::BadLines(self.errors));
        }
        Ok(BatchInput {
            ids: self.ids,
            duplicates: self.duplicates,
        })
    }
}

/// Splits one CSV row (RFC 4180 quoting: `"a ""b"""`) into its fields.
/// Returns `None` for a quote left open. A quoted field spanning lines is
/// not supported: batch inputs are id lists, and a line-based reader keeps
/// line numbers exact.
fn split_csv_row(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;

    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, _) => field.push(c),
        }
    }

    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(n: u64) -> RecordId {
        RecordId::from_number(n).unwrap()
    }

    fn ok(text: &str) -> BatchInput {
        parse_bytes(text.as_bytes()).unwrap()
    }

    fn bad_lines(bytes: &[u8]) -> Vec<LineError> {
        match parse_bytes(bytes) {
            Err(InputError::BadLines(lines)) => lines,
            other => panic!("expected bad lines, got {other:?}"),
        }
    }

    #[test]
    fn plain_lines_with_comments_and_blanks() {
        let text = format!(
            "# ids to cancel\n\n{}\n  {}  # the second\n\n",
            id(1),
            id(2)
        );
        assert_eq!(ok(&text).ids, vec![id(1), id(2)]);
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let text = format!("\u{feff}{}\r\n{}\r\n", id(1), id(2));
        assert_eq!(ok(&text).ids, vec![id(1), id(2)]);
    }

    #[test]
    fn last_line_without_newline() {
        let text = format!("{}\n{}", id(1), id(2));
        assert_eq!(ok(&text).ids, vec![id(1), id(2)]);
    }

    #[test]
    fn csv_with_an_id_column_anywhere() {
        let text = format!(
            "name,ID,note\n\"Smith, J\",{},\"said \"\"hi\"\"\"\nDoe,{},\n",
            id(5),
            id(6)
        );
        assert_eq!(ok(&text).ids, vec![id(5), id(6)]);
    }

    #[test]
    fn single_column_csv_header() {
        assert_eq!(ok(&format!("id\n{}\n", id(9))).ids, vec![id(9)]);
    }

    #[test]
    fn csv_without_id_column_is_refused_on_the_header_line() {
        let lines = bad_lines(format!("# export\nname,record\nx,{}\n", id(1)).as_bytes());
        assert_eq!(
            lines,
            vec![LineError {
                line: 2,
                problem: LineProblem::NoIdColumn
            }]
        );
    }

    #[test]
    fn csv_row_missing_the_column() {
        let lines = bad_lines(format!("note,id\n{},\nshort\n", id(1)).as_bytes());
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert!(matches!(
            lines[0].problem,
            LineProblem::BadId(IdError::Empty)
        ));
        assert_eq!(
            lines[1],
            LineError {
                line: 3,
                problem: LineProblem::MissingColumn(2)
            }
        );
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let mut bytes = format!("{}\nR123\n\n{}\n", id(1), id(2)).into_bytes();
        bytes.extend_from_slice(b"R\xff\xfe\n");
        bytes.extend_from_slice(&vec![b'7'; MAX_LINE_BYTES + 1]);
        bytes.extend_from_slice(format!("\n{}\n", id(3)).as_bytes());

        let lines = bad_lines(&bytes);
        let numbers: Vec<_> = lines.iter().map(|l| l.line).collect();
        assert_eq!(numbers, vec![2, 5, 6]);
        assert!(matches!(
            lines[0].problem,
            LineProblem::BadId(IdError::Length(_, 3))
        ));
        assert_eq!(lines[1].problem, LineProblem::InvalidUtf8);
        assert_eq!(lines[2].problem, LineProblem::TooLong);
        assert_eq!(lines[1].to_string(), "line 5: not valid UTF-8");
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_fine_to_read() {
        let mut bytes = vec![b' '; MAX_LINE_BYTES - 11];
        bytes.extend_from_slice(id(4).to_string().as_bytes());
        assert_eq!(parse_bytes(&bytes).unwrap().ids, vec![id(4)]);
    }

    #[test]
    fn duplicates_are_dropped_and_reported() {
        let input = ok(&format!("{}\n{}\n{}\n", id(1), id(2), id(1)));
        assert_eq!(input.ids, vec![id(1), id(2)]);
        assert_eq!(
            input.duplicates,
            vec![Duplicate {
                line: 3,
                first_line: 1,
                id: id(1)
            }]
        );
    }

    #[test]
    fn a_typo_is_caught_by_the_check_digit() {
        let mut text = id(123_456).to_string();
        text.replace_range(10..11, if text.ends_with('0') { "1" } else { "0" });
        let lines = bad_lines(text.as_bytes());
        assert!(matches!(
            lines[0].problem,
            LineProblem::BadId(IdError::Checksum(_))
        ));
    }

    #[test]
    fn empty_input_has_no_ids() {
        assert!(ok("").ids.is_empty());
        assert!(ok("# nothing\n\n").ids.is_empty());
    }

    #[test]
    fn csv_splitting() {
        assert_eq!(split_csv_row("a,b").unwrap(), vec!["a", "b"]);
        assert_eq!(split_csv_row("\"a,b\",c").unwrap(), vec!["a,b", "c"]);
        assert_eq!(split_csv_row(",").unwrap(), vec!["", ""]);
        assert!(split_csv_row("\"open,").is_none());
    }

    fn some_line() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (1u64..1_000_000).prop_map(|n| id(n).to_string().into_bytes()),
            Just(b"# a comment".to_vec()),
            Just(Vec::new()),
            Just(b"\r".to_vec()),
            Just(b"id,name".to_vec()),
            "\\PC{0,30}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..40),
        ]
    }

    proptest! {
        #[test]
        fn never_panics_and_every_rejection_names_a_real_line(
            lines in proptest::collection::vec(some_line(), 0..30),
            bom in any::<bool>(),
        ) {
            let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            bytes.extend(lines.join(&b'\n'));
            let line_count = bytes.split(|&b| b == b'\n').count();

            match parse_bytes(&bytes) {
                Ok(input) => {
                    let unique: std::collections::HashSet<_> = input.ids.iter().collect();
                    prop_assert_eq!(unique.len(), input.ids.len());
                }
                Err(InputError::BadLines(errors)) => {
                    prop_assert!(!errors.is_empty());
                    for error in errors {
                        prop_assert!(error.line >= 1 && error.line <= line_count);
                    }
                }
                Err(InputError::Io(e)) => prop_assert!(false, "io error {e}"),
            }
        }

        #[test]
        fn plain_id_lists_round_trip(
            numbers in proptest::collection::vec(1u64..999_999_999, 0..50),
            crlf in any::<bool>(),
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let text: String = numbers.iter().map(|&n| format!("{}{end}", id(n))).collect();
            let input = parse_bytes(text.as_bytes()).unwrap();

            let mut expected = Vec::new();
            for n in numbers {
                if !expected.contains(&id(n)) {
                    expected.push(id(n));
                }
            }
            prop_assert_eq!(input.ids, expected);
        }

        #[test]
        fn csv_rows_keep_their_ids(
            rows in proptest::collection::vec((1u64..999_999_999, "[a-z ,\"]{0,12}"), 1..20),
        ) {
            let mut text = String::from("note,id\n");
            for (n, note) in &rows {
                let quoted = note.replace('"', "\"\"");
                text.push_str(&format!("\"{quoted}\",{}\n", id(*n)));
            }
            let input = parse_bytes(text.as_bytes()).unwrap();
            prop_assert_eq!(input.ids.first().copied(), Some(id(rows[0].0)));
        }
    }
}
