//! The SMTP sender (lettre) against a real SMTP conversation on loopback: the message arrives
//! with its text and HTML parts, our id as its Message-ID; a refused recipient is permanent, a
//! refused login is a configuration error, a server that is down is worth retrying.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::providers::SendError;
use domain::providers::email::{EmailProvider, OutgoingEmail, Smtp};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A small SMTP server (RFC 5321's commands in order, AUTH PLAIN accepted for one password);
/// keeps each message's DATA. Recipients at `nobody@` are refused with 550.
pub(crate) async fn spawn_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let kept = messages.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 test.local ESMTP ready\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-test.local\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("AUTH PLAIN") {
                        // base64("\0clinic\0secret")
                        if line.ends_with("AGNsaW5pYwBzZWNyZXQ=") {
                            b"235 2.7.0 Accepted\r\n"
                        } else {
                            b"535 5.7.8 Bad credentials\r\n"
                        }
                    } else if upper.starts_with("MAIL FROM") {
                        b"250 OK\r\n"
                    } else if upper.starts_with("RCPT TO") {
                        if upper.contains("NOBODY@") { b"550 5.1.1 No such user\r\n" } else { b"250 OK\r\n" }
                    } else if upper == "DATA" {
                        let _ = write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            data.push_str(&line);
                            data.push('\n');
                        }
                        kept.lock().unwrap().push(data);
                        b"250 OK queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 Bye\r\n").await;
                        return;
                    } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
                        b"250 OK\r\n"
                    } else {
                        b"502 Not implemented\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, messages)
}

fn email(to: &str) -> OutgoingEmail {
    OutgoingEmail {
        message_id: "01KMESSAGE0000000000000002".into(),
        to: to.into(),
        subject: "Your MRI on Tuesday".into(),
        text: "Please arrive 15 minutes early.".into(),
        html: Some("<p>Please arrive <strong>15 minutes</strong> early.</p>".into()),
    }
}

fn smtp(url: &str) -> Smtp {
    Smtp::new(url, "Avatar Imaging <noreply@avatar.test>", Duration::from_secs(2)).unwrap()
}

#[tokio::test]
async fn a_message_arrives_with_both_parts() {
    let (port, messages) = spawn_smtp().await;
    let sender = smtp(&format!("smtp://clinic:secret@127.0.0.1:{port}"));
    sender.send(&email("pat.example@patient.test")).await.unwrap();
    let messages = messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let data = &messages[0];
    assert!(data.contains("To: pat.example@patient.test"), "{data}");
    assert!(data.contains("From: \"Avatar Imaging\" <noreply@avatar.test>"), "{data}");
    assert!(data.contains("Subject: Your MRI on Tuesday"), "{data}");
    assert!(data.contains("Message-ID: <01KMESSAGE0000000000000002@avatar-crm>"), "{data}");
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(
        data.contains("Content-Type: text/plain") && data.contains("Please arrive 15 minutes early."),
        "{data}"
    );
    assert!(
        data.contains("Content-Type: text/html") && data.contains("<strong>15 minutes</strong>"),
        "{data}"
    );
}

#[tokio::test]
async fn refusals_are_told_apart() {
    let (port, _) = spawn_smtp().await;
    let sender = smtp(&format!("smtp://clinic:secret@127.0.0.1:{port}"));
    assert!(matches!(sender.send(&email("nobody@patient.test")).await, Err(SendError::Refused(_))));
    let wrong = smtp(&format!("smtp://clinic:wrong@127.0.0.1:{port}"));
    assert!(matches!(wrong.send(&email("pat@patient.test")).await, Err(SendError::Configuration(_))));
    // Nothing listening: try again later.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let down = closed.local_addr().unwrap().port();
    drop(closed);
    let unreachable = smtp(&format!("smtp://clinic:secret@127.0.0.1:{down}"));
    assert!(matches!(unreachable.send(&email("pat@patient.test")).await, Err(SendError::Unavailable(_))));
}

#[test]
fn bad_settings_are_named_without_the_password() {
    let bad = Smtp::new("http://clinic:hunter2@mail.test", "noreply@avatar.test", Duration::from_secs(1));
    let message = bad.map(|_| ()).unwrap_err();
    assert!(!message.contains("hunter2"));
    assert!(Smtp::new("smtp://mail.test", "not an address", Duration::from_secs(1)).is_err());
}
