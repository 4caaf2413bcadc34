//! A notification sink on loopback: a minimal SMTP server that accepts any
//! message and an HTTP receiver that accepts any POST. The demo points its
//! channels here and writes what arrives to an outbox folder; the tests use
//! it to see exactly what a channel sent. It never relays anything.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message the sink received.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    Email { from: String, to: Vec<String>, data: String },
    Webhook { path: String, headers: Vec<(String, String)>, body: Vec<u8> },
}

impl Received {
    /// Returns the value of header `name` of a webhook (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        match self {
            Self::Webhook { headers, .. } => headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()),
            Self::Email { .. } => None,
        }
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    /// Webhook requests still to reject with HTTP 500, to exercise retries.
    fail_next: AtomicU32,
    outbox: Option<PathBuf>,
    /// A webhook signing secret to check signatures against in the outbox.
    secret: Option<String>,
}

impl Shared {
    fn push(&self, item: Received) {
        let mut received = self.received.lock().unwrap_or_else(PoisonError::into_inner);
        received.push(item.clone());
        let number = received.len();
        drop(received);
        if let Some(dir) = &self.outbox {
            if let Err(e) = write_outbox(dir, number, &item, self.secret.as_deref()) {
                tracing::warn!(error = %e, dir = %dir.display(), "could not write to the demo outbox");
            }
        }
    }
}

fn write_outbox(dir: &std::path::Path, number: usize, item: &Received, secret: Option<&str>) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    match item {
        Received::Email { from, to, data } => {
            let text = format!("X-Sink-Envelope-From: {from}\r\nX-Sink-Envelope-To: {}\r\n{data}", to.join(", "));
            std::fs::write(dir.join(format!("{number:03}-email.eml")), text)
        }
        Received::Webhook { path, headers, body } => {
            let signature = item.header(super::channels::SIGNATURE_HEADER);
            let check = match (secret, signature) {
                (Some(secret), Some(sent)) if super::channels::signature(secret, body) == sent => "valid",
                (Some(_), Some(_)) => "INVALID",
                (_, None) => "not signed",
                (None, Some(_)) => "not checked",
            };
            let body_json: serde_json::Value =
                serde_json::from_slice(body).unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()));
            let record = serde_json::json!({
                "path": path,
                "headers": headers.iter().map(|(n, v)| serde_json::json!([n, v])).collect::<Vec<_>>(),
                "signature": check,
                "body": body_json,
            });
            let text = serde_json::to_string_pretty(&record).unwrap_or_default();
            std::fs::write(dir.join(format!("{number:03}-webhook.json")), text)
        }
    }
}

/// A running sink. Dropping it stops both listeners.
pub struct Sink {
    pub smtp_port: u16,
    pub http_port: u16,
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Sink {
    /// Starts both listeners on 127.0.0.1 with free ports. `outbox`, when
    /// given, receives one file per message. With `secret`, each webhook
    /// file records whether its signature is valid.
    pub async fn start(outbox: Option<PathBuf>, secret: Option<String>) -> std::io::Result<Self> {
        let shared = Arc::new(Shared { outbox, secret, ..Default::default() });
        let smtp = TcpListener::bind(("127.0.0.1", 0)).await?;
        let http = TcpListener::bind(("127.0.0.1", 0)).await?;
        let (smtp_port, http_port) = (smtp.local_addr()?.port(), http.local_addr()?.port());
        let smtp_task = {
            let shared = shared.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = smtp.accept().await {
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        if let Err(e) = smtp_session(stream, &shared).await {
                            tracing::debug!(error = %e, "SMTP sink session ended with an error");
                        }
                    });
                }
            })
        };
        let router = axum::Router::new().fallback(receive).with_state(shared.clone());
        let http_task = tokio::spawn(async move {
            if let Err(e) = axum::serve(http, router).await {
                tracing::warn!(error = %e, "the webhook sink stopped");
            }
        });
        Ok(Self { smtp_port, http_port, shared, tasks: vec![smtp_task, http_task] })
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http_port)
    }

    /// Everything received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Rejects the next `count` webhook requests with HTTP 500.
    pub fn fail_next(&self, count: u32) {
        self.shared.fail_next.store(count, Ordering::SeqCst);
    }
}

async fn receive(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let failing = shared.fail_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    if failing {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let headers = headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or("").to_owned()))
        .collect();
    shared.push(Received::Webhook { path: uri.path().to_owned(), headers, body: body.to_vec() });
    StatusCode::OK
}

/// Speaks just enough SMTP for a client that sends mail without TLS.
async fn smtp_session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 trust-center-sink ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-trust-center-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&line["MAIL FROM:".len()..]);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&line["RCPT TO:".len()..]));
            b"250 OK\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut data = String::new();
            while let Some(line) = lines.next_line().await? {
                if line == "." {
                    break;
                }
                // Undo dot-stuffing (RFC 5321, 4.5.2).
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
                data.push_str("\r\n");
            }
            shared.push(Received::Email { from: std::mem::take(&mut from), to: std::mem::take(&mut to), data });
            b"250 OK: queued\r\n"
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

fn address(raw: &str) -> String {
    let raw = raw.trim();
    let end = raw.find('>').map_or(raw.len(), |i| i + 1);
    raw[..end].trim_start_matches('<').trim_end_matches('>').to_owned()
}
