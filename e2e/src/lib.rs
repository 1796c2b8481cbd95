//! e2e helpers (placeholder).
