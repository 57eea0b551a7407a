//! The ESC/POS receipt printer: connections and status.
