//! Copying an SQLite database into an empty PostgreSQL one. (Being written.)
//! TEMP (coordinator stub until the pg-platform branch lands).

pub fn copy_from_sqlite(_sqlite: &std::path::Path, _url: &str) -> anyhow::Result<()> {
    anyhow::bail!("not written yet")
}
