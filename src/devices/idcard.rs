//! Reading second-generation ID cards over the GA 467 serial frame protocol.
