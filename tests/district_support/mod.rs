//! What the district server's tests share: a throwaway PostgreSQL, the real
//! `onedoor-district` process, a protocol client, and finished cases. A test
//! is written once, over a [`Backend`], and `both_backends!` runs it on the
//! embedded store and on PostgreSQL: the same suite for both.
#![allow(dead_code, unused_imports)]

pub mod cases;
pub mod client;
pub mod postgres;
pub mod proxy;
pub mod server;
pub mod tls;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use cases::{completed, day, finished, person, write_finished, Ending};
pub use client::{Answer, Client, Stalled};
pub use postgres::Pg;
pub use server::{token_of, District, Store, ADMIN_TOKEN, TOWNS};
pub use tls::Certificates;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sled,
    Postgres,
}

/// Runs each named test `fn name(backend: Backend)` once per backend.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sled_store {
            $( #[test] fn $name() { super::$name($crate::district_support::Backend::Sled) } )+
        }
        mod postgres_store {
            $( #[test] fn $name() { super::$name($crate::district_support::Backend::Postgres) } )+
        }
    };
}

/// A district for one test: its directory, its store, its server.
pub struct Harness {
    pub district: District,
    pub store: Store,
    pub tokens: PathBuf,
    /// The test's own PostgreSQL (fsync on, for the crash tests); the others
    /// have a database of their own in the test binary's shared cluster.
    pub pg: Option<Pg>,
    /// The server's certificates, when it serves HTTPS.
    pub certs: Option<Certificates>,
    pub dir: tempfile::TempDir,
}

impl Harness {
    /// A server on a new store; PostgreSQL without fsync (durability is not under test).
    pub fn new(backend: Backend) -> Harness {
        Harness::with(backend, false, &[])
    }

    /// `fsync`: a PostgreSQL of the test's own with durability on (for the
    /// crash tests); `extra`: more `serve` flags.
    pub fn with(backend: Backend, fsync: bool, extra: &[&str]) -> Harness {
        Harness::build(backend, fsync, extra, None)
    }

    /// A server that serves HTTPS with a certificate of a CA the test made.
    pub fn tls(backend: Backend) -> Harness {
        Harness::build(backend, false, &[], Some(Certificates::make()))
    }

    fn build(backend: Backend, fsync: bool, extra: &[&str], certs: Option<Certificates>) -> Harness {
        let dir = tempfile::Builder::new().prefix("onedoor-district").tempdir().unwrap();
        let tokens = server::write_tokens(dir.path());
        let (pg, store) = match backend {
            Backend::Sled => (None, Store::Sled(dir.path().join("store"))),
            Backend::Postgres if fsync => {
                let pg = Pg::start(true);
                let url = pg.database("district");
                (Some(pg), Store::Postgres(url))
            }
            Backend::Postgres => (None, Store::Postgres(postgres::shared().fresh_database())),
        };
        let mut args: Vec<&str> = extra.to_vec();
        let tls_args = certs.as_ref().map(Certificates::serve_args).unwrap_or_default();
        args.extend(tls_args.iter().map(String::as_str));
        let district = District::start(&store, &tokens, &dir.path().join("server.log"), &args);
        Harness { district, store, tokens, pg, certs, dir }
    }

    /// A new, empty store of the same backend (for a district rebuilt from its counters).
    pub fn fresh_store(&self, name: &str) -> Store {
        match &self.store {
            Store::Sled(_) => Store::Sled(self.dir.path().join(name)),
            Store::Postgres(_) => match &self.pg {
                Some(pg) => Store::Postgres(pg.fresh_database()),
                None => Store::Postgres(postgres::shared().fresh_database()),
            },
        }
    }

    /// Another server on the same store (PostgreSQL) with its own log.
    pub fn second_server(&self, name: &str) -> District {
        District::start(&self.store, &self.tokens, &self.dir.path().join(format!("{name}.log")), &[])
    }

    pub fn town(&self, town: &str) -> Client {
        Client::trusting(&self.district.url(), token_of(town), self.certs.as_ref().map(|c| c.ca.as_path()))
    }

    pub fn admin(&self) -> Client {
        Client::trusting(&self.district.url(), ADMIN_TOKEN, self.certs.as_ref().map(|c| c.ca.as_path()))
    }

    /// Waits until the server has taken in a request of `town` (its contact is
    /// noted in the same step as the request's place among those in progress).
    pub fn wait_for_contact(&self, town: &str) {
        let admin = self.admin();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let view = admin.get(onedoor::sync::wire::TOWNS_PATH).towns();
            if view.towns.iter().any(|t| t.town_code == town && t.last_contact.is_some()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server never heard from town {town}");
    }

    /// The town's line of the towns view.
    pub fn town_status(&self, town: &str) -> onedoor::sync::wire::TownStatus {
        let view = self.admin().get(onedoor::sync::wire::TOWNS_PATH).towns();
        view.towns.into_iter().find(|t| t.town_code == town).expect("the town is in the view")
    }
}
