//! Receipts: templates laid out by display width and encoded as ESC/POS bytes.
