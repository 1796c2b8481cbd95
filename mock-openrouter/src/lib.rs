//! Mock OpenRouter (placeholder).
