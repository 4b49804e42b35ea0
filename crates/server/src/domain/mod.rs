//! The rules of SPEC §2, kept apart from HTTP and SQL: who may see and act on
//! a record, the cancellation cutoff, reasons per role, which actions a
//! record allows, challenge codes and their states, and the parsing of list
//! queries (dates, cursors). Pure functions wherever possible.

pub mod access;
pub mod challenge;
pub mod query;
pub mod records;
