//! Durable edits and hot reload against the real `broker serve` binary (SPEC §7):
//! concurrent upserts, SIGKILL in the middle of more upserts and a restart, comments kept,
//! valid and invalid reloads, and no failed request while reloads happen under load.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use broker::service::pb::{self, broker_client::BrokerClient};
use broker::Glossary;
use tonic::transport::Channel;
use tonic::{Code, Request};

mod common;

use common::{copy_fixture, fixture_dir};

const TOKEN: &str = "edits-test-token";

/// A `broker serve` process on `127.0.0.1:0`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_broker"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--admin-token",
                TOKEN,
                "--glossary",
            ])
            .arg(dir)
            .env("RUST_LOG", "info")
            .env_remove("BROKER_ADMIN_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("broker starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("broker exited before listening")
                .unwrap();
            if let Some(rest) = line.split("addr=").nth(1) {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    async fn client(&self) -> BrokerClient<Channel> {
        BrokerClient::connect(format!("http://{}", self.addr))
            .await
            .expect("connects")
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn concept(id: &str, definition: &str) -> pb::Concept {
    pb::Concept {
        id: id.into(),
        it: Some(pb::SideEntry {
            terms: vec![format!("{id} term")],
            definition: definition.into(),
        }),
        tags: vec!["test".into()],
        ..Default::default()
    }
}

fn upsert(c: pb::Concept, etag: &str) -> Request<pb::UpsertConceptRequest> {
    let mut r = Request::new(pb::UpsertConceptRequest {
        concept: Some(c),
        expected_etag: etag.into(),
    });
    r.metadata_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
    r
}

async fn version(c: &mut BrokerClient<Channel>) -> String {
    c.get_glossary_info(pb::GetGlossaryInfoRequest {})
        .await
        .unwrap()
        .into_inner()
        .version
}

/// Polls `f` until it holds, for at most 10 s.
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_edits_survive_concurrency_and_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path());
    let mut server = Server::start(dir.path());

    // Several clients upsert at once: every acknowledged edit is served and on disk.
    let mut tasks = Vec::new();
    for client_no in 0..4 {
        let mut c = server.client().await;
        tasks.push(tokio::spawn(async move {
            for i in 0..8 {
                let id = format!("c{client_no}-{i}");
                c.upsert_concept(upsert(concept(&id, "first"), ""))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let g = Glossary::load_dir(dir.path()).unwrap();
    for client_no in 0..4 {
        for i in 0..8 {
            assert!(g.get(&format!("c{client_no}-{i}")).is_some());
        }
    }

    // More upserts, and SIGKILL while they run.
    let acked = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let mut tasks = Vec::new();
    for client_no in 0..4 {
        let mut c = server.client().await;
        let acked = acked.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let id = format!("k{client_no}-{i}");
                let def = format!("written by {client_no} at {i}");
                match c.upsert_concept(upsert(concept(&id, &def), "")).await {
                    Ok(_) => acked.lock().unwrap().push((id, def)),
                    Err(_) => break,
                }
            }
        }));
    }
    let acked_len = || acked.lock().unwrap().len();
    eventually("some upserts acknowledged", || {
        let n = acked_len();
        async move { n >= 20 }
    })
    .await;
    server.kill();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 20);

    // Every file parses, and every acknowledged edit is there after a restart.
    let on_disk = Glossary::load_dir(dir.path()).expect("no torn file after SIGKILL");
    for (id, def) in &acked {
        let c = on_disk
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged {id} lost"));
        assert_eq!(&c.it.as_ref().unwrap().definition, def);
    }
    let server = Server::start(dir.path());
    let mut c = server.client().await;
    for (id, _) in acked.iter().take(50) {
        c.get_concept(pb::GetConceptRequest { id: id.clone() })
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn stale_etags_conflict_and_comments_survive() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path());
    let server = Server::start(dir.path());
    let mut c = server.client().await;
    let latency = c
        .get_concept(pb::GetConceptRequest {
            id: "latency".into(),
        })
        .await
        .unwrap()
        .into_inner();

    // Two writers read the same etag; exactly one wins.
    let mut a = latency.clone();
    a.note = "from A".into();
    let mut b = latency.clone();
    b.note = "from B".into();
    let (mut ca, mut cb) = (c.clone(), c.clone());
    let (ra, rb) = tokio::join!(
        ca.upsert_concept(upsert(a, &latency.etag)),
        cb.upsert_concept(upsert(b, &latency.etag))
    );
    let codes = [ra.is_ok(), rb.is_ok()];
    assert_eq!(codes.iter().filter(|ok| **ok).count(), 1, "{ra:?} {rb:?}");
    let loser = ra.err().or(rb.err()).unwrap();
    assert_eq!(loser.code(), Code::Aborted);

    // The file that held the concept keeps its comments and the other concepts.
    let text = std::fs::read_to_string(dir.path().join("10-engineering.toml")).unwrap();
    let original = std::fs::read_to_string(fixture_dir().join("10-engineering.toml")).unwrap();
    for comment in original.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(text.contains(comment), "comment lost: {comment}\n{text}");
    }
    assert!(text.contains("from A") || text.contains("from B"));
    let before = Glossary::load_dir(&fixture_dir()).unwrap();
    let after = Glossary::load_dir(dir.path()).unwrap();
    assert_eq!(before.concepts().len(), after.concepts().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reloads_swap_valid_changes_keep_serving_on_invalid_ones_and_fail_no_request() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path());
    let server = Server::start(dir.path());
    let mut c = server.client().await;
    let v0 = version(&mut c).await;

    // Load: requests keep running while the directory changes under them.
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(Mutex::new(Vec::new()));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (mut c, stop, ok, failed) = (c.clone(), stop.clone(), ok.clone(), failed.clone());
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let r = c
                    .translate(pb::TranslateRequest {
                        text: "Our latency hurts the conversion funnel.".into(),
                        ..Default::default()
                    })
                    .await;
                match r {
                    Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        failed.lock().unwrap().push(e.to_string());
                        0
                    }
                };
            }
        }));
    }

    // A valid new file is picked up by the watcher.
    let extra = dir.path().join("30-extra.toml");
    for round in 0..5 {
        std::fs::write(
            &extra,
            format!(
                "# added by hand\n[[concept]]\nid = \"extra\"\ntags = [\"t\"]\n[concept.it]\nterms = [\"flux capacitor\"]\ndefinition = \"Round {round}.\"\n"
            ),
        )
        .unwrap();
        let want = format!("Round {round}.");
        eventually("the valid change is served", || {
            let (mut c, want) = (c.clone(), want.clone());
            async move {
                c.get_concept(pb::GetConceptRequest { id: "extra".into() })
                    .await
                    .is_ok_and(|r| r.into_inner().it.is_some_and(|s| s.definition == want))
            }
        })
        .await;
    }
    let v1 = version(&mut c).await;
    assert_ne!(v1, v0);

    // An invalid change is refused: the previous glossary keeps serving.
    std::fs::write(&extra, "[[concept]\nid = broken\n").unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(version(&mut c).await, v1);
    c.get_concept(pb::GetConceptRequest { id: "extra".into() })
        .await
        .unwrap();

    // Fixed on disk, and SIGHUP asks for a reload too.
    std::fs::remove_file(&extra).unwrap();
    server.signal("-HUP");
    eventually("the removal is served", || {
        let mut c = c.clone();
        async move {
            c.get_concept(pb::GetConceptRequest { id: "extra".into() })
                .await
                .is_err_and(|e| e.code() == Code::NotFound)
        }
    })
    .await;
    assert_eq!(version(&mut c).await, v0);

    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.unwrap();
    }
    assert!(
        failed.lock().unwrap().is_empty(),
        "{:?}",
        failed.lock().unwrap()
    );
    assert!(ok.load(Ordering::Relaxed) > 0);
}
