//! Contract checks (placeholder).
