//! Several replicas on one PostgreSQL store (SPEC §12), against a real PostgreSQL: each test
//! starts a throwaway cluster with `initdb`/`pg_ctl` under a temporary directory (on a free
//! port, loopback only) and real `broker serve` processes on it. Skipped, saying so, only when
//! no PostgreSQL binaries are installed.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use broker::service::pb::{self, broker_client::BrokerClient};
use tonic::transport::Channel;
use tonic::{Code, Request};
use tonic_health::pb::health_check_response::ServingStatus;

mod common;

const TOKEN: &str = "replica-test-token";

/// The directory of `initdb`, `pg_ctl` and `postgres`, if PostgreSQL is installed.
fn pg_bin() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|b| b.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A throwaway PostgreSQL cluster, stopped and removed when dropped.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    root: bool,
}

impl Cluster {
    /// A new cluster, or `None` (with the reason printed) without PostgreSQL binaries.
    fn start() -> Option<Cluster> {
        let Some(bin) = pg_bin() else {
            eprintln!("skipped: no PostgreSQL binaries (initdb) in /usr/lib/postgresql or pg_config --bindir");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let root = is_root();
        if root {
            // initdb refuses to run as root: the cluster belongs to `postgres`.
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown the cluster directory to postgres");
        }
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
            root,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "broker",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        cluster.pg_ctl_start();
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-w",
                "-o",
                &options,
                "-l",
                &log,
                "start",
            ],
        );
    }

    fn pg_ctl_stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://broker@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let exe = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.root {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(exe)
                .args(args)
                .output()
        } else {
            Command::new(exe).args(args).output()
        };
    }
}

fn broker() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_broker"));
    c.env_remove("BROKER_STORE")
        .env_remove("BROKER_GLOSSARY")
        .env_remove("BROKER_ADMIN_TOKEN");
    c
}

/// `broker glossary ARGS…`, which must succeed; its stdout.
fn glossary_cli(args: &[&str]) -> String {
    let out = broker().arg("glossary").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "broker glossary {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A `broker serve --store URL` process on `127.0.0.1:0`, killed when dropped.
struct Replica {
    child: Child,
    addr: String,
}

impl Replica {
    fn start(url: &str) -> Replica {
        Replica::start_with(url, &[])
    }

    /// A replica with more flags.
    fn start_with(url: &str, extra: &[&str]) -> Replica {
        let mut child = broker()
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--admin-token",
                TOKEN,
                "--store",
                url,
            ])
            .args(extra)
            .env("RUST_LOG", "info")
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
        std::thread::spawn(move || for _ in lines {});
        Replica { child, addr }
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
}

impl Drop for Replica {
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
        tags: vec!["replicas".into()],
        cues: vec!["cluster".into()],
        ..Default::default()
    }
}

fn admin<T>(msg: T) -> Request<T> {
    let mut r = Request::new(msg);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
    r
}

fn upsert(c: pb::Concept, etag: &str) -> Request<pb::UpsertConceptRequest> {
    admin(pb::UpsertConceptRequest {
        concept: Some(c),
        expected_etag: etag.into(),
    })
}

async fn get(c: &mut BrokerClient<Channel>, id: &str) -> Result<pb::Concept, tonic::Status> {
    c.get_concept(pb::GetConceptRequest { id: id.into() })
        .await
        .map(|r| r.into_inner())
}

/// How long until `f` holds (polled every 10 ms), or a panic after 10 s.
async fn time_until<F, Fut>(what: &str, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if f().await {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// A cluster holding the test glossary, pushed with the CLI.
fn seeded_cluster() -> Option<Cluster> {
    let cluster = Cluster::start()?;
    glossary_cli(&[
        "push",
        &common::fixture_dir().display().to_string(),
        "--store",
        &cluster.url(),
    ]);
    Some(cluster)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_serve_one_glossary_and_see_each_others_edits_within_a_second() {
    let Some(cluster) = seeded_cluster() else {
        return;
    };
    let (a, b) = (
        Replica::start(&cluster.url()),
        Replica::start(&cluster.url()),
    );
    let (mut ca, mut cb) = (a.client().await, b.client().await);
    let info = |c: &mut BrokerClient<Channel>| {
        let mut c = c.clone();
        async move {
            c.get_glossary_info(pb::GetGlossaryInfoRequest {})
                .await
                .unwrap()
                .into_inner()
        }
    };
    let (ia, ib) = (info(&mut ca).await, info(&mut cb).await);
    assert_eq!(ia.concepts, 10);
    assert_eq!(ia.version, ib.version);
    assert!(ia.source.starts_with("postgres://"), "{}", ia.source);

    // An edit on A is on B within a second, and the other way round.
    let stored = ca
        .upsert_concept(upsert(concept("replicated", "Seen everywhere."), ""))
        .await
        .unwrap()
        .into_inner();
    let seen = time_until("B sees A's edit", || {
        let mut cb = cb.clone();
        async move { get(&mut cb, "replicated").await.is_ok() }
    })
    .await;
    assert!(
        seen < Duration::from_secs(1),
        "B saw A's edit after {seen:?}"
    );
    assert_eq!(get(&mut cb, "replicated").await.unwrap().etag, stored.etag);

    cb.delete_concept(admin(pb::DeleteConceptRequest {
        id: "replicated".into(),
        expected_etag: stored.etag.clone(),
    }))
    .await
    .unwrap();
    let gone = time_until("A sees B's delete", || {
        let mut ca = ca.clone();
        async move { get(&mut ca, "replicated").await.is_err() }
    })
    .await;
    assert!(
        gone < Duration::from_secs(1),
        "A saw B's delete after {gone:?}"
    );
    assert_eq!(info(&mut ca).await.version, info(&mut cb).await.version);

    // Every change is audited: who, before, after.
    let pool = sqlx::PgPool::connect(&cluster.url()).await.unwrap();
    let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT action, actor, before::text, after::text FROM audit
         WHERE concept_id = 'replicated' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].0, "upsert");
    assert!(rows[0].1.starts_with("broker serve@"), "{}", rows[0].1);
    assert!(rows[0].2.is_none() && rows[0].3.as_deref().unwrap().contains("Seen everywhere."));
    assert_eq!(rows[1].0, "delete");
    assert!(rows[1].2.is_some() && rows[1].3.is_none());
    // Concepts are rows, not a blob.
    let terms: i64 = sqlx::query_scalar("SELECT count(*) FROM terms WHERE concept_id = 'latency'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(terms, 4);

    // Export, change, import back: the replicas follow.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("g.csv");
    let csv_s = csv.display().to_string();
    glossary_cli(&[
        "export",
        "--to",
        "csv",
        "--store",
        &cluster.url(),
        "-o",
        &csv_s,
    ]);
    let latency = get(&mut ca, "latency").await.unwrap();
    ca.delete_concept(admin(pb::DeleteConceptRequest {
        id: "latency".into(),
        expected_etag: latency.etag,
    }))
    .await
    .unwrap();
    glossary_cli(&["import", &csv_s, "--store", &cluster.url()]);
    time_until("B sees the imported concept", || {
        let mut cb = cb.clone();
        async move { get(&mut cb, "latency").await.is_ok() }
    })
    .await;
    let exported = glossary_cli(&["export", "--to", "csv", "--store", &cluster.url()]);
    assert!(exported.contains("latency"), "{exported}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conflicting_upserts_through_two_replicas_one_wins_the_other_is_aborted() {
    let Some(cluster) = seeded_cluster() else {
        return;
    };
    let (a, b) = (
        Replica::start(&cluster.url()),
        Replica::start(&cluster.url()),
    );
    let (ca, cb) = (a.client().await, b.client().await);
    for round in 0..5 {
        let etag = get(&mut ca.clone(), "churn").await.unwrap().etag;
        let send = |client: &BrokerClient<Channel>, who: &str| {
            let mut client = client.clone();
            let c = pb::Concept {
                id: "churn".into(),
                marketing: Some(pb::SideEntry {
                    terms: vec!["churn".into(), "churn rate".into()],
                    definition: format!("Customers lost, round {round}, by {who}."),
                }),
                ..Default::default()
            };
            let etag = etag.clone();
            tokio::spawn(async move { client.upsert_concept(upsert(c, &etag)).await })
        };
        let (ra, rb) = (send(&ca, "a"), send(&cb, "b"));
        let results = [ra.await.unwrap(), rb.await.unwrap()];
        let won: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
        assert_eq!(won.len(), 1, "round {round}: exactly one wins: {results:?}");
        let lost = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(lost.code(), Code::Aborted, "{lost:?}");
        assert!(
            lost.message().contains("expected_etag"),
            "{}",
            lost.message()
        );
        // Both replicas end up with the winner.
        let winner = won[0].as_ref().unwrap().get_ref().etag.clone();
        // Over HTTP, the stale etag as If-Match is a 412, whichever replica is asked.
        let loser = if results[0].is_ok() { &b } else { &a };
        let stale = common::http1(
            loser.addr.parse().unwrap(),
            "PUT",
            "/v1/concepts/churn",
            &[
                ("authorization", &format!("Bearer {TOKEN}")),
                ("if-match", &etag),
            ],
            br#"{"marketing": {"terms": ["churn"], "definition": "Late."}}"#,
        )
        .await;
        assert_eq!(stale.status, 412, "{:?}", stale.body);
        for c in [&ca, &cb] {
            time_until("the winner everywhere", || {
                let mut c = c.clone();
                let winner = winner.clone();
                async move { get(&mut c, "churn").await.unwrap().etag == winner }
            })
            .await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_of_a_replica_during_upserts_loses_no_acknowledged_edit() {
    let Some(cluster) = seeded_cluster() else {
        return;
    };
    let mut a = Replica::start(&cluster.url());
    let b = Replica::start(&cluster.url());
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for _ in 0..4 {
        let (mut client, acked, next) = (a.client().await, acked.clone(), next.clone());
        writers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= 400 {
                    return;
                }
                let id = format!("edit-{n}");
                match client
                    .upsert_concept(upsert(concept(&id, "Written before the kill."), ""))
                    .await
                {
                    Ok(_) => acked.lock().unwrap().push(id),
                    Err(_) => return, // the replica died
                }
            }
        }));
    }
    time_until("some edits acknowledged", || {
        let acked = acked.clone();
        async move { acked.lock().unwrap().len() >= 20 }
    })
    .await;
    a.kill();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 20);
    // Every acknowledged edit is in the database and served by the other replica.
    let mut cb = b.client().await;
    for id in &acked {
        let found = time_until("the survivor serves every acknowledged edit", || {
            let mut cb = cb.clone();
            let id = id.clone();
            async move { get(&mut cb, &id).await.is_ok() }
        })
        .await;
        assert!(found < Duration::from_secs(10));
    }
    let info = cb
        .get_glossary_info(pb::GetGlossaryInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(info.concepts as usize >= 10 + acked.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn database_restart_under_load_reads_keep_succeeding_and_writes_come_back() {
    let Some(cluster) = seeded_cluster() else {
        return;
    };
    let (a, b) = (
        Replica::start(&cluster.url()),
        Replica::start(&cluster.url()),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let (reads, failures) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut readers = Vec::new();
    for replica in [&a, &b] {
        let client = replica.client().await;
        let (stop, reads, failures) = (stop.clone(), reads.clone(), failures.clone());
        readers.push(tokio::spawn(async move {
            let mut client = client;
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                let r = client
                    .translate(pb::TranslateRequest {
                        text: "Our latency hurts the CTR.".into(),
                        ..Default::default()
                    })
                    .await;
                match r {
                    Ok(r) if r.get_ref().annotations.len() == 2 => {
                        reads.fetch_add(1, Ordering::SeqCst)
                    }
                    _ => failures.fetch_add(1, Ordering::SeqCst),
                };
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.pg_ctl_stop();
    let during = reads.load(Ordering::SeqCst);
    // Without the database: reads go on, a write is refused as UNAVAILABLE.
    let mut ca = a.client().await;
    let err = ca
        .upsert_concept(upsert(concept("while-down", "Not stored."), ""))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        reads.load(Ordering::SeqCst) > during,
        "reads go on without the database"
    );
    // Health: reads SERVING, writes NOT_SERVING.
    let health = |service: &'static str| {
        let addr = a.addr.clone();
        async move {
            let url = format!("http://{addr}");
            let channel = Channel::from_shared(url).unwrap().connect().await.unwrap();
            let mut h = tonic_health::pb::health_client::HealthClient::new(channel);
            let req = tonic_health::pb::HealthCheckRequest {
                service: service.into(),
            };
            h.check(req).await.unwrap().into_inner().status
        }
    };
    time_until("writes reported NOT_SERVING", || async {
        health("broker.v1.Broker.writes").await == ServingStatus::NotServing as i32
    })
    .await;
    assert_eq!(health("").await, ServingStatus::Serving as i32);
    assert_eq!(
        health("broker.v1.Broker").await,
        ServingStatus::Serving as i32
    );

    cluster.pg_ctl_start();
    // Writes come back, and the other replica follows again.
    time_until("a write succeeds after the restart", || {
        let mut ca = ca.clone();
        async move {
            ca.upsert_concept(upsert(concept("after-restart", "Stored."), ""))
                .await
                .is_ok()
        }
    })
    .await;
    time_until("writes reported SERVING again", || async {
        health("broker.v1.Broker.writes").await == ServingStatus::Serving as i32
    })
    .await;
    let mut cb = b.client().await;
    time_until("B follows after the restart", || {
        let mut cb = cb.clone();
        async move { get(&mut cb, "after-restart").await.is_ok() }
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    for r in readers {
        r.await.unwrap();
    }
    assert_eq!(failures.load(Ordering::SeqCst), 0, "no read failed");
    assert!(reads.load(Ordering::SeqCst) > 20);
    assert!(get(&mut cb, "while-down").await.is_err());
}

#[test]
fn a_store_url_that_cannot_be_reached_is_a_clear_start_up_error() {
    let port = free_port();
    let out = broker()
        .args(["serve", "--addr", "127.0.0.1:0", "--store"])
        .arg(format!(
            "postgres://broker:secret-pw@127.0.0.1:{port}/postgres"
        ))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(
        !stderr.contains("secret-pw"),
        "no password in messages: {stderr}"
    );
}

#[tokio::test]
async fn named_admin_tokens_say_who_made_each_edit_in_the_audit() {
    let Some(cluster) = seeded_cluster() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(
        &tokens,
        "# who may edit\nalice:alice-s3cret\nbob.smith:bob-s3cret\n",
    )
    .unwrap();
    let r = Replica::start_with(
        &cluster.url(),
        &["--admin-tokens", tokens.to_str().unwrap()],
    );
    let mut c = r.client().await;
    let as_who = |token: &str, msg: pb::UpsertConceptRequest| {
        let mut req = Request::new(msg);
        req.metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        req
    };
    let put = |id: &str| pb::UpsertConceptRequest {
        concept: Some(concept(id, "Audited.")),
        expected_etag: String::new(),
    };
    c.upsert_concept(as_who("alice-s3cret", put("by-alice")))
        .await
        .unwrap();
    c.upsert_concept(as_who("bob-s3cret", put("by-bob")))
        .await
        .unwrap();
    c.upsert_concept(as_who(TOKEN, put("by-admin")))
        .await
        .unwrap();
    let refused = c.upsert_concept(as_who("mallory", put("by-mallory"))).await;
    assert_eq!(refused.unwrap_err().code(), tonic::Code::Unauthenticated);

    let pool = sqlx::PgPool::connect(&cluster.url()).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT concept_id, actor FROM audit WHERE concept_id LIKE 'by-%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0], ("by-alice".to_string(), "alice".to_string()));
    assert_eq!(rows[1], ("by-bob".to_string(), "bob.smith".to_string()));
    assert!(rows[2].1.starts_with("broker serve@"), "{rows:?}");
}
