//! Talking to the district: the wire types of the district protocol v1,
//! shared by the counter's forwarder and the `onedoor-district` server, so
//! that both sides read and write exactly the same JSON; and the counter's
//! side: its HTTP client and the forwarder that drains the outbox.

pub mod client;
pub mod forward;
pub mod search;
pub mod wire;
