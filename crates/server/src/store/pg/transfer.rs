//! Copying an SQLite database into an empty PostgreSQL one. (Being written.)
