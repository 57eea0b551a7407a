//! The PostgreSQL store (`--database postgres://…`): for a district or city
//! that runs several `onedoor-district` processes against one database. The
//! schema is created and migrated at start (under an advisory lock, so servers
//! starting together take turns); a case is one `INSERT … ON CONFLICT DO
//! NOTHING` statement whose commit has returned before the case is
//! acknowledged, and the content hash decides "same" (200) or "other" (422).
//!
//! Tables: `cases` (one row per case id, the case as `jsonb` and the columns
//! an analyst filters on), `case_people` (one row per person and case, keyed
//! by ID number: the index of the assistance search, applicant and members
//! alike), `town_contacts` (the towns' last contact and reports) and
//! `onedoor_district_schema` (the schema version).

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use onedoor::domain::IdNumber;
use onedoor::sync::wire::{AssistanceRecord, CaseReceipt, TownStatus};
use tokio_postgres::NoTls;

use super::{town_status, Accepted, Contact, Incoming, Storage, StorageError, TownCases};

/// Any fixed number: the advisory lock that serializes migrations.
const MIGRATION_LOCK: i64 = 0x6f6e_6564_6f6f_7231;

/// The schema, one step per version; a step is never changed once released.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE cases (
    case_id        text PRIMARY KEY,
    town_code      text NOT NULL,
    content_hash   bytea NOT NULL,
    receipt_id     text NOT NULL,
    received_at    timestamptz NOT NULL,
    window_day     date NOT NULL,
    kind           text NOT NULL,
    reason         text NOT NULL,
    state          text NOT NULL,
    granted_amount numeric(14, 2),
    completed_at   timestamptz,
    body           jsonb NOT NULL
);
CREATE INDEX cases_by_town ON cases (town_code, received_at);
CREATE TABLE case_people (
    id_number  text NOT NULL,
    case_id    text NOT NULL REFERENCES cases (case_id),
    role       text NOT NULL,
    window_day date NOT NULL,
    record     text NOT NULL,
    PRIMARY KEY (id_number, case_id)
);
CREATE TABLE town_contacts (
    town_code      text PRIMARY KEY,
    last_contact   timestamptz,
    dead_letters   integer,
    outbox_waiting integer,
    audit_head     text,
    reported_at    timestamptz
);
"#];

const INSERT_CASE: &str = r#"
WITH new AS (
    INSERT INTO cases (case_id, town_code, content_hash, receipt_id, received_at, window_day,
                       kind, reason, state, granted_amount, completed_at, body)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::numeric, $11, $12::text::jsonb)
    ON CONFLICT (case_id) DO NOTHING
    RETURNING case_id
), people AS (
    INSERT INTO case_people (id_number, case_id, role, window_day, record)
    SELECT p.id_number, new.case_id, p.role, $6, p.record
    FROM new, unnest($13::text[], $14::text[], $15::text[]) AS p (id_number, role, record)
)
SELECT count(*) FROM new
"#;

const HELD_CASE: &str = "SELECT content_hash, receipt_id, received_at FROM cases WHERE case_id = $1";

const SEARCH: &str = r#"
SELECT record FROM case_people
WHERE id_number = ANY($1) AND ($2::date IS NULL OR window_day >= $2)
ORDER BY window_day DESC, case_id DESC
LIMIT $3
"#;

const UPSERT_CONTACT: &str = r#"
INSERT INTO town_contacts AS t (town_code, last_contact, dead_letters, outbox_waiting, audit_head, reported_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (town_code) DO UPDATE SET
    last_contact = GREATEST(t.last_contact, EXCLUDED.last_contact),
    dead_letters = CASE WHEN t.reported_at IS NULL OR EXCLUDED.reported_at >= t.reported_at
                        THEN COALESCE(EXCLUDED.dead_letters, t.dead_letters) ELSE t.dead_letters END,
    outbox_waiting = CASE WHEN t.reported_at IS NULL OR EXCLUDED.reported_at >= t.reported_at
                          THEN COALESCE(EXCLUDED.outbox_waiting, t.outbox_waiting) ELSE t.outbox_waiting END,
    audit_head = CASE WHEN t.reported_at IS NULL OR EXCLUDED.reported_at >= t.reported_at
                      THEN COALESCE(EXCLUDED.audit_head, t.audit_head) ELSE t.audit_head END,
    reported_at = GREATEST(t.reported_at, EXCLUDED.reported_at)
"#;

/// The PostgreSQL store.
pub struct Postgres {
    pool: Pool,
    /// The offset times are given back in.
    offset: FixedOffset,
}

/// A database error: worth a retry (503) when the database is unreachable,
/// restarting, out of resources or asked us to try again.
fn db_error(e: tokio_postgres::Error) -> StorageError {
    if e.is_closed() {
        return StorageError::Unavailable(format!("the database connection closed: {e}"));
    }
    match e.as_db_error() {
        Some(db) => {
            let code = db.code().code();
            let transient = ["08", "53", "57P", "40001", "40P01", "55P03"].iter().any(|c| code.starts_with(c));
            let message = format!("{} ({code})", db.message());
            if transient {
                StorageError::Unavailable(message)
            } else {
                StorageError::Failed(message)
            }
        }
        None => StorageError::Unavailable(e.to_string()),
    }
}

fn pool_error(e: PoolError) -> StorageError {
    match e {
        PoolError::Backend(e) => db_error(e),
        other => StorageError::Unavailable(format!("no database connection: {other}")),
    }
}

impl Postgres {
    /// Connects (a pool of `pool_size`), then creates or migrates the schema.
    pub async fn connect(url: &str, pool_size: usize, offset: FixedOffset) -> Result<Postgres, StorageError> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| StorageError::Failed(format!("the database address is not valid: {e}")))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(5)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| StorageError::Failed(e.to_string()))?;
        let store = Postgres { pool, offset };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StorageError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client.transaction().await.map_err(db_error)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(db_error)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS onedoor_district_schema (version integer NOT NULL)")
            .await
            .map_err(db_error)?;
        let version: i32 = tx
            .query_opt("SELECT version FROM onedoor_district_schema", &[])
            .await
            .map_err(db_error)?
            .map(|row| row.get(0))
            .unwrap_or(0);
        let known = MIGRATIONS.len() as i32;
        if version > known {
            return Err(StorageError::Failed(format!(
                "the database has schema version {version}, written by a newer onedoor-district (this one knows {known})"
            )));
        }
        for (step, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tracing::info!(version = step + 1, "migrating the database schema");
            tx.batch_execute(sql).await.map_err(db_error)?;
        }
        if version == 0 {
            tx.execute("INSERT INTO onedoor_district_schema (version) VALUES ($1)", &[&known]).await
        } else {
            tx.execute("UPDATE onedoor_district_schema SET version = $1", &[&known]).await
        }
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    fn local(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset)
    }
}

impl Storage for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn accept(&self, case: Incoming) -> Result<Accepted, StorageError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let first = case.records.first().ok_or_else(|| StorageError::Failed("a case without an applicant".into()))?;
        let mut ids = Vec::with_capacity(case.records.len());
        let mut roles = Vec::with_capacity(case.records.len());
        let mut records = Vec::with_capacity(case.records.len());
        for r in &case.records {
            ids.push(r.id_number.as_str().to_string());
            roles.push(r.role.code().to_string());
            records.push(serde_json::to_string(r).map_err(|e| StorageError::Failed(e.to_string()))?);
        }
        let body = std::str::from_utf8(&case.body).map_err(|e| StorageError::Failed(e.to_string()))?;
        let granted = first.granted_amount.map(|m| m.to_string());
        let insert = client.prepare_cached(INSERT_CASE).await.map_err(db_error)?;
        let row = client
            .query_one(
                &insert,
                &[
                    &case.case_id().as_str(),
                    &case.town_code,
                    &case.content_hash.as_slice(),
                    &case.receipt.receipt_id,
                    &case.receipt.received_at,
                    &case.window_day,
                    &first.kind.code(),
                    &first.reason.code(),
                    &first.state.code(),
                    &granted,
                    &first.completed_at,
                    &body,
                    &ids,
                    &roles,
                    &records,
                ],
            )
            .await
            .map_err(db_error)?;
        if row.get::<_, i64>(0) == 1 {
            return Ok(Accepted::Created(case.receipt));
        }
        // Held already (perhaps committed a moment ago by another server): a fresh look.
        let held = client.prepare_cached(HELD_CASE).await.map_err(db_error)?;
        let row =
            client.query_opt(&held, &[&case.case_id().as_str()]).await.map_err(db_error)?.ok_or_else(|| {
                StorageError::Unavailable("the case was neither inserted nor found; try again".into())
            })?;
        let hash: Vec<u8> = row.get(0);
        let receipt = CaseReceipt {
            case_id: case.case_id().clone(),
            receipt_id: row.get(1),
            received_at: self.local(row.get(2)),
        };
        Ok(if hash == case.content_hash { Accepted::Same(receipt) } else { Accepted::Conflict(receipt) })
    }

    async fn search(
        &self,
        people: Vec<IdNumber>,
        since: Option<NaiveDate>,
        limit: usize,
    ) -> Result<Vec<AssistanceRecord>, StorageError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let ids: Vec<String> = people.iter().map(|id| id.as_str().to_string()).collect();
        let search = client.prepare_cached(SEARCH).await.map_err(db_error)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = client.query(&search, &[&ids, &since, &limit]).await.map_err(db_error)?;
        rows.iter()
            .map(|row| {
                serde_json::from_str(row.get(0))
                    .map_err(|e| StorageError::Failed(format!("a stored search record is damaged: {e}")))
            })
            .collect()
    }

    async fn record_contacts(&self, contacts: Vec<(String, Contact)>) -> Result<(), StorageError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let upsert = client.prepare_cached(UPSERT_CONTACT).await.map_err(db_error)?;
        for (town, c) in &contacts {
            let count = |n: Option<u32>| n.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
            let head = c.audit_head.as_ref().map(|h| h.to_string());
            client
                .execute(
                    &upsert,
                    &[&town, &c.last_contact, &count(c.dead_letters), &count(c.outbox_waiting), &head, &c.reported_at],
                )
                .await
                .map_err(db_error)?;
        }
        Ok(())
    }

    async fn towns(&self) -> Result<Vec<TownStatus>, StorageError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let mut towns: std::collections::BTreeMap<String, (TownCases, Contact)> = Default::default();
        let held = client
            .query("SELECT town_code, count(*), max(received_at) FROM cases GROUP BY town_code", &[])
            .await
            .map_err(db_error)?;
        for row in held {
            let entry = towns.entry(row.get(0)).or_default();
            entry.0.cases_held = u64::try_from(row.get::<_, i64>(1)).unwrap_or(0);
            entry.0.last_case_received_at = row.get::<_, Option<DateTime<Utc>>>(2).map(|t| self.local(t));
        }
        let contacts = client
            .query(
                "SELECT town_code, last_contact, dead_letters, outbox_waiting, audit_head, reported_at FROM town_contacts",
                &[],
            )
            .await
            .map_err(db_error)?;
        for row in contacts {
            let count = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
            let entry = towns.entry(row.get(0)).or_default();
            entry.1 = Contact {
                last_contact: row.get::<_, Option<DateTime<Utc>>>(1).map(|t| self.local(t)),
                dead_letters: count(row.get(2)),
                outbox_waiting: count(row.get(3)),
                audit_head: row.get::<_, Option<String>>(4).and_then(|h| h.parse().ok()),
                reported_at: row.get::<_, Option<DateTime<Utc>>>(5).map(|t| self.local(t)),
            };
        }
        Ok(towns.iter().map(|(town, (cases, contact))| town_status(town, cases, contact)).collect())
    }

    async fn ping(&self) -> Result<(), StorageError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        client.simple_query("SELECT 1").await.map_err(db_error)?;
        Ok(())
    }

    async fn close(&self) -> Result<(), StorageError> {
        self.pool.close();
        Ok(())
    }
}
