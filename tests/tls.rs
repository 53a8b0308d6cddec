//! TLS on the one port (SPEC §12): the real server behind rustls with a certificate made by
//! `rcgen` for the test, called by a tonic client and an HTTPS (hyper) client that trust the
//! generated CA; plaintext clients fail cleanly and the server goes on serving.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use broker::config::ServiceConfig;
use broker::service::pb::broker_client::BrokerClient;
use broker::service::{self, pb, AppState};
use broker::Matcher;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::rustls;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

use common::PATIENCE;

/// A CA and a server certificate for `localhost` and `127.0.0.1` it signed, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
}

impl Pki {
    fn new() -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "broker test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca, ca_key).unwrap();

        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cert.pem"), leaf.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        Pki {
            dir,
            ca_pem: ca.pem(),
        }
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("key.pem")
    }

    /// A rustls client config that trusts the CA, with `alpn`.
    fn client_config(&self, alpn: &[&[u8]]) -> Arc<rustls::ClientConfig> {
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(self.ca_pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }
}

/// The real server over TLS on `127.0.0.1:0`, stopped when dropped.
struct TlsApp {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn spawn_tls(pki: &Pki) -> TlsApp {
    let tls = service::tls::server_config(&pki.cert(), &pki.key()).expect("the PEM files load");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(AppState::new(Matcher::new(Arc::new(
        common::fixture_glossary(),
    ))));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(service::serve_tls(
        listener,
        state,
        ServiceConfig::default(),
        tls,
        async {
            let _ = stopped.await;
        },
    ));
    TlsApp { addr, _stop: stop }
}

async fn tls_client(app: &TlsApp, ca: Option<&str>) -> Result<BrokerClient<Channel>, String> {
    let mut tls = ClientTlsConfig::new().domain_name("localhost");
    if let Some(ca) = ca {
        tls = tls.ca_certificate(Certificate::from_pem(ca));
    }
    let endpoint = Channel::from_shared(format!("https://{}", app.addr))
        .unwrap()
        .tls_config(tls)
        .map_err(|e| e.to_string())?;
    let channel = tokio::time::timeout(PATIENCE, endpoint.connect())
        .await
        .expect("connect does not hang")
        .map_err(|e| format!("{e:?}"))?;
    Ok(BrokerClient::new(channel))
}

/// One HTTP/1.1 request over TLS with hyper; the status and body.
async fn https(pki: &Pki, addr: SocketAddr, req: hyper::Request<Full<Bytes>>) -> (u16, Bytes) {
    let connector = tokio_rustls::TlsConnector::from(pki.client_config(&[b"http/1.1"]));
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, tcp).await.expect("TLS handshake");
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);
    let resp = tokio::time::timeout(PATIENCE, sender.send_request(req))
        .await
        .expect("an answer")
        .unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, body)
}

#[tokio::test]
async fn grpc_over_tls_with_the_generated_ca() {
    let pki = Pki::new();
    let app = spawn_tls(&pki).await;
    let mut client = tls_client(&app, Some(&pki.ca_pem)).await.unwrap();
    let info = client
        .get_glossary_info(pb::GetGlossaryInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.concepts, 10);
    let resp = client
        .translate(pb::TranslateRequest {
            text: "Our latency hurts the CTR.".into(),
            view: pb::View::Compact.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.annotations.len(), 2);
    assert!(resp.concepts.contains_key("latency"));
}

#[tokio::test]
async fn https_with_the_generated_ca() {
    let pki = Pki::new();
    let app = spawn_tls(&pki).await;
    let get = hyper::Request::get("/healthz")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (status, body) = https(&pki, app.addr, get).await;
    assert_eq!(status, 200, "{body:?}");
    let post = hyper::Request::post("/v1/translate")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(
            br#"{"text": "Our latency hurts the CTR.", "audience": "marketing"}"#,
        )))
        .unwrap();
    let (status, body) = https(&pki, app.addr, post).await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["annotations"][0]["text"], "latency");
}

#[tokio::test]
async fn clients_that_do_not_trust_the_certificate_or_speak_plaintext_fail_cleanly() {
    let pki = Pki::new();
    let app = spawn_tls(&pki).await;

    // A TLS client without the CA: the handshake fails.
    let untrusting = match tls_client(&app, None).await {
        Err(e) => e,
        Ok(mut c) => {
            let err = c
                .get_glossary_info(pb::GetGlossaryInfoRequest {})
                .await
                .unwrap_err();
            format!("{err:?}")
        }
    };
    assert!(!untrusting.is_empty());

    // Plaintext gRPC (h2c) to the TLS port: an error, not a hang.
    let plain = Channel::from_shared(format!("http://{}", app.addr)).unwrap();
    match tokio::time::timeout(PATIENCE, plain.connect())
        .await
        .expect("no hang")
    {
        Err(_) => {}
        Ok(channel) => {
            let mut client = BrokerClient::new(channel);
            let call = client.get_glossary_info(pb::GetGlossaryInfoRequest {});
            let result = tokio::time::timeout(PATIENCE, call).await.expect("no hang");
            assert!(result.is_err(), "plaintext gRPC must not be served");
        }
    }

    // Plaintext HTTP/1.1: the connection is closed without an HTTP answer.
    let mut tcp = TcpStream::connect(app.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, tcp.read_to_end(&mut raw))
        .await
        .expect("the server closes the connection");
    assert!(
        !raw.starts_with(b"HTTP/"),
        "no plaintext answer: {:?}",
        String::from_utf8_lossy(&raw)
    );

    // The server goes on serving TLS clients.
    let mut client = tls_client(&app, Some(&pki.ca_pem)).await.unwrap();
    assert!(client
        .get_glossary_info(pb::GetGlossaryInfoRequest {})
        .await
        .is_ok());
}

#[test]
fn bad_certificate_or_key_files_are_named() {
    let pki = Pki::new();
    let missing = pki.dir.path().join("nope.pem");
    let err = service::tls::server_config(&missing, &pki.key()).unwrap_err();
    assert!(err.to_string().contains("nope.pem"), "{err}");

    // A certificate where the key should be, and garbage where the certificate should be.
    let err = service::tls::server_config(&pki.cert(), &pki.cert()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&pki.cert().display().to_string())
            && err.to_string().contains("no private key"),
        "{err}"
    );
    let garbage = pki.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let err = service::tls::server_config(&garbage, &pki.key()).unwrap_err();
    assert!(err.to_string().contains("garbage.pem"), "{err}");

    // A key that does not belong to the certificate.
    let other = pki.dir.path().join("other-key.pem");
    std::fs::write(&other, KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let err = service::tls::server_config(&pki.cert(), &other).unwrap_err();
    assert!(err.to_string().contains("other-key.pem"), "{err}");
}

#[test]
fn serve_refuses_to_start_with_an_unreadable_certificate() {
    let pki = Pki::new();
    let missing: &Path = &pki.dir.path().join("missing-cert.pem");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(["serve", "--addr", "127.0.0.1:0", "--tls-cert"])
        .arg(missing)
        .arg("--tls-key")
        .arg(pki.key())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing-cert.pem"), "{stderr}");
}

/// curl, when installed, over TLS with `--cacert`: HTTP/1.1 and HTTP/2 (ALPN).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_with_the_generated_ca() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no curl on PATH");
        return;
    }
    let pki = Pki::new();
    let app = spawn_tls(&pki).await;
    let ca = pki.dir.path().join("ca.pem");
    let port = app.addr.port();
    for http in ["--http1.1", "--http2"] {
        let (ca, version) = (ca.clone(), http.to_string());
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("curl")
                .args(["-sS", "--max-time", "20", &version, "--cacert"])
                .arg(&ca)
                .args(["-w", "\n%{http_code} %{http_version}"])
                .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
                .args([
                    "-d",
                    r#"{"text": "Our latency hurts the CTR.", "view": "compact"}"#,
                ])
                .arg(format!("https://localhost:{port}/v1/translate"))
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (body, status) = stdout.rsplit_once('\n').unwrap();
        let expected = if http == "--http2" {
            "200 2"
        } else {
            "200 1.1"
        };
        assert_eq!(status, expected);
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(v["concepts"]["latency"].is_object(), "{v}");
    }
    // Without the CA, curl refuses the certificate.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl")
            .args(["-sS", "--max-time", "20"])
            .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
            .arg(format!("https://localhost:{port}/healthz"))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!out.status.success());
}
