//! Duplicate assistance: earlier help to anyone in the household that looks like the same help.
