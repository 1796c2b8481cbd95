//! Integration tests: each starts a mock on 127.0.0.1:0 and talks HTTP to it.

mod common;
mod contract_check;
mod cors;
mod endpoints;
mod faults;
mod generation;
mod oauth;
mod sse;
