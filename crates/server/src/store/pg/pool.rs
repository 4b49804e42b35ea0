//! The connection pool, wrapped so that closing it never happens on a
//! thread that drives a tokio runtime: the blocking `postgres` client runs
//! a small runtime of its own inside each connection, and tokio panics when
//! one runtime is shut down inside another. The store and the platform
//! layers are dropped by the server task when it stops, so the last handle
//! hands the connections to a plain thread to close.

use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::sync::Arc;

use postgres::NoTls;
use r2d2_postgres::PostgresConnectionManager;

pub type Manager = PostgresConnectionManager<NoTls>;
pub type PooledClient = r2d2::PooledConnection<Manager>;

/// A cloneable handle to one r2d2 pool of PostgreSQL connections.
#[derive(Clone)]
pub struct Pool {
    shared: Arc<Closing>,
}

struct Closing {
    pool: ManuallyDrop<r2d2::Pool<Manager>>,
}

impl Pool {
    pub fn new(pool: r2d2::Pool<Manager>) -> Pool {
        Pool {
            shared: Arc::new(Closing {
                pool: ManuallyDrop::new(pool),
            }),
        }
    }
}

impl Deref for Pool {
    type Target = r2d2::Pool<Manager>;

    fn deref(&self) -> &Self::Target {
        &self.shared.pool
    }
}

impl Drop for Closing {
    fn drop(&mut self) {
        // SAFETY: `pool` is taken exactly once, here, and `self` is never
        // used again: this is the value's drop.
        let pool = unsafe { ManuallyDrop::take(&mut self.pool) };
        if tokio::runtime::Handle::try_current().is_err() {
            drop(pool);
            return;
        }
        let closing = std::thread::Builder::new()
            .name("pg-pool-close".to_string())
            .spawn(move || drop(pool));
        if let Err(err) = closing {
            // Without a thread the connections are leaked, not closed: the
            // server notices the sockets close when the process exits.
            tracing::warn!(error = %err, "could not close the database connections");
        }
    }
}
