//! How instants and days are written: RFC 3339 / `YYYY-MM-DD` in JSON, and
//! compact integers in the binary store (a case carries many timestamps).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A moment as recorded by the window: the exact instant plus the centre's offset.
pub type Moment = DateTime<FixedOffset>;

fn moment_from_parts(secs: i64, offset: i32) -> Option<Moment> {
    let off = FixedOffset::east_opt(offset)?;
    Some(DateTime::from_timestamp(secs, 0)?.with_timezone(&off))
}

/// `#[serde(with = "time::moment")]` for a [`Moment`].
pub mod moment {
    use super::*;

    pub fn serialize<S: Serializer>(m: &Moment, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            m.to_rfc3339().serialize(s)
        } else {
            (m.timestamp(), m.offset().local_minus_utc()).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Moment, D::Error> {
        use serde::de::Error;
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            DateTime::parse_from_rfc3339(&s)
                .map_err(|e| D::Error::custom(format!("'{s}' is not a time like 2026-11-29T09:12:33+08:00 ({e})")))
        } else {
            let (secs, off) = <(i64, i32)>::deserialize(d)?;
            moment_from_parts(secs, off).ok_or_else(|| D::Error::custom("a stored time is out of range"))
        }
    }
}

/// `#[serde(with = "time::moment_opt")]` for an `Option<Moment>`.
pub mod moment_opt {
    use super::*;

    pub fn serialize<S: Serializer>(m: &Option<Moment>, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct W<'a>(#[serde(with = "super::moment")] &'a Moment);
        m.as_ref().map(W).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Moment>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::moment")] Moment);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}

/// `#[serde(with = "time::day")]` for a [`NaiveDate`]: a day number in the store.
pub mod day {
    use super::*;
    use chrono::Datelike;

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            d.format("%Y-%m-%d").to_string().serialize(s)
        } else {
            d.num_days_from_ce().serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        use serde::de::Error;
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map_err(|_| D::Error::custom(format!("'{s}' is not a date like 2026-11-29")))
        } else {
            let n = i32::deserialize(d)?;
            NaiveDate::from_num_days_from_ce_opt(n).ok_or_else(|| D::Error::custom("a stored date is out of range"))
        }
    }
}

/// `#[serde(with = "time::day_opt")]` for an `Option<NaiveDate>`.
pub mod day_opt {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct W<'a>(#[serde(with = "super::day")] &'a NaiveDate);
        d.as_ref().map(W).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::day")] NaiveDate);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}
