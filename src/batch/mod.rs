//! The batch engine: reading batch inputs, running cancellations with
//! bounded concurrency, and the journal that makes a batch resumable.

pub mod input;
pub mod journal;
