//! Server-sent events written from a producer task through a channel, so the event sequence
//! reads top to bottom. When the client goes away the body (receiver) is dropped, sends fail
//! and the producer stops.

use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc;

type Chunk = Result<Bytes, std::io::Error>;

/// Turns a channel into a streaming body.
pub fn channel_body(capacity: usize) -> (mpsc::Sender<Chunk>, Body) {
    let (tx, rx) = mpsc::channel::<Chunk>(capacity);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (tx, Body::from_stream(stream))
}

pub struct SseWriter {
    tx: mpsc::Sender<Chunk>,
    crlf: bool,
    split: bool,
    rng: u64,
}

/// `Err(())`: the client is gone.
pub type Sent = Result<(), ()>;

impl SseWriter {
    pub fn new(crlf: bool, split: bool) -> (SseWriter, Body) {
        let (tx, body) = channel_body(16);
        (
            SseWriter {
                tx,
                crlf,
                split,
                rng: 0x9E37_79B9_7F4A_7C15,
            },
            body,
        )
    }

    fn eol(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    /// Raw bytes on the wire (used for deliberately broken events).
    pub async fn write(&mut self, text: String) -> Sent {
        let bytes = Bytes::from(text);
        if !self.split {
            return self.tx.send(Ok(bytes)).await.map_err(|_| ());
        }
        // Cut at deterministic pseudo-random boundaries; yield between pieces so they tend to
        // leave as separate TCP segments.
        let mut rest = bytes;
        while !rest.is_empty() {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            let max = rest.len().min(4096);
            let n = 1 + (self.rng as usize % max);
            let piece = rest.split_to(n);
            self.tx.send(Ok(piece)).await.map_err(|_| ())?;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok(())
    }

    pub async fn comment(&mut self, text: &str) -> Sent {
        let eol = self.eol();
        self.write(format!(": {text}{eol}{eol}")).await
    }

    pub async fn data(&mut self, value: &Value) -> Sent {
        let eol = self.eol();
        self.write(format!("data: {value}{eol}{eol}")).await
    }

    pub async fn done(&mut self) -> Sent {
        let eol = self.eol();
        self.write(format!("data: [DONE]{eol}{eol}")).await
    }

    /// Ends the body with an error: hyper cuts the connection (no clean end of stream).
    pub async fn cut(self) {
        let _ = self
            .tx
            .send(Err(std::io::Error::other("mock: connection dropped")))
            .await;
    }

    /// Sends `: OPENROUTER PROCESSING` right away and then every `interval_ms` until `delay_ms`
    /// has passed and `work` has finished; returns its output.
    pub async fn keepalive_while<T>(
        &mut self,
        delay_ms: u64,
        interval_ms: u64,
        work: impl Future<Output = T>,
    ) -> Result<T, ()> {
        let interval = Duration::from_millis(interval_ms.max(10));
        let delay = tokio::time::sleep(Duration::from_millis(delay_ms));
        let both = async {
            let (out, ()) = tokio::join!(work, delay);
            out
        };
        tokio::pin!(both);
        self.comment("OPENROUTER PROCESSING").await?;
        loop {
            tokio::select! {
                out = &mut both => return Ok(out),
                () = tokio::time::sleep(interval) => self.comment("OPENROUTER PROCESSING").await?,
            }
        }
    }
}
