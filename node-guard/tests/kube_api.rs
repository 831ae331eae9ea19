//! Every Kubernetes call against a stand-in API server (an in-process HTTP server on
//! 127.0.0.1) that checks each request's method, path, content type and body exactly.

mod common;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use node_guard::k8s::api::MAX_ATTEMPTS;
use node_guard::k8s::{Keys, KubeError, NodeClient};
use node_guard::state::{Assessment, SctpState};
use serde_json::{Value, json};
use tokio::net::TcpListener;

type BodyCheck = Box<dyn Fn(&Value) + Send>;

/// One expected request and the canned answer.
struct Expect {
    method: &'static str,
    path_and_query: String,
    content_type: Option<&'static str>,
    body: Option<Value>,
    check: Option<BodyCheck>,
    status: u16,
    response: Value,
}

fn get(path: &str, response: Value) -> Expect {
    Expect {
        method: "GET",
        path_and_query: path.into(),
        content_type: None,
        body: None,
        check: None,
        status: 200,
        response,
    }
}

fn merge_patch(path: &str, body: Value, status: u16, response: Value) -> Expect {
    Expect {
        method: "PATCH",
        path_and_query: format!("{path}?&fieldManager=node-guard"),
        content_type: Some("application/merge-patch+json"),
        body: Some(body),
        check: None,
        status,
        response,
    }
}

/// The stand-in API server.
struct ApiServer {
    addr: SocketAddr,
    script: Arc<Mutex<VecDeque<Expect>>>,
    errors: Arc<Mutex<Vec<String>>>,
}

impl ApiServer {
    async fn start(script: Vec<Expect>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let (s, e) = (script.clone(), errors.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (s, e) = (s.clone(), e.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let (s, e) = (s.clone(), e.clone());
                        async move { Ok::<_, Infallible>(handle(req, &s, &e).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self {
            addr,
            script,
            errors,
        }
    }

    fn client(&self) -> kube::Client {
        let config = kube::Config::new(format!("http://{}", self.addr).parse().unwrap());
        kube::Client::try_from(config).unwrap()
    }

    fn node(&self, name: &str) -> NodeClient {
        NodeClient::new(self.client(), name, Keys::default())
            .with_server(&format!("http://{}", self.addr))
    }

    /// Fails the test if a request was unexpected or wrong, or an expected one never came.
    fn verify(&self) {
        let errors = self.errors.lock().unwrap();
        assert!(
            errors.is_empty(),
            "stand-in API server saw wrong requests:\n{}",
            errors.join("\n")
        );
        let left: Vec<String> = self
            .script
            .lock()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e.method, e.path_and_query))
            .collect();
        assert!(left.is_empty(), "expected requests never came: {left:?}");
    }
}

async fn handle(
    req: Request<Incoming>,
    script: &Mutex<VecDeque<Expect>>,
    errors: &Mutex<Vec<String>>,
) -> Response<Full<Bytes>> {
    let method = req.method().to_string();
    let pq = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let ctype = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = req.into_body().collect().await.unwrap().to_bytes();
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    let Some(exp) = script.lock().unwrap().pop_front() else {
        errors
            .lock()
            .unwrap()
            .push(format!("unexpected {method} {pq} {body}"));
        return reply(500, json!({}));
    };
    let mut errs = Vec::new();
    if exp.method != method || exp.path_and_query != pq {
        errs.push(format!(
            "expected {} {}, got {method} {pq}",
            exp.method, exp.path_and_query
        ));
    }
    if exp.content_type.is_some() && exp.content_type != ctype.as_deref() {
        errs.push(format!(
            "{method} {pq}: expected content-type {:?}, got {ctype:?}",
            exp.content_type
        ));
    }
    if let Some(want) = &exp.body
        && *want != body
    {
        errs.push(format!(
            "{method} {pq}: body\n  expected {want}\n  got      {body}"
        ));
    }
    if let Some(check) = &exp.check
        && let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&body)))
    {
        errs.push(format!(
            "{method} {pq}: body check failed: {:?} on {body}",
            p.downcast_ref::<String>()
        ));
    }
    errors.lock().unwrap().extend(errs);
    reply(exp.status, exp.response)
}

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    r.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    r
}

const NODE_PATH: &str = "/api/v1/nodes/worker-1";
const DEDICATED: &str = "sctp.node-guard.io/userspace-dedicated";
const STATE: &str = "sctp.node-guard.io/kernel-sctp";
const OWNED: &str = "sctp.node-guard.io/owned-taints";

fn foreign_a() -> Value {
    json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"})
}
fn foreign_b() -> Value {
    json!({"key": "example.com/gpu", "value": "a100", "effect": "NoSchedule"})
}
fn ours_noschedule() -> Value {
    json!({"key": DEDICATED, "value": "true", "effect": "NoSchedule"})
}
fn owned_noschedule() -> String {
    format!(r#"[{{"key":"{DEDICATED}","effect":"NoSchedule"}}]"#)
}

fn node(rv: &str, labels: Value, annotations: Value, taints: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": "worker-1",
            "uid": "6c2a1f0e-2b8e-4b8e-9a51-0c1d2e3f4a5b",
            "resourceVersion": rv,
            "labels": labels,
            "annotations": annotations,
        },
        "spec": {"podCIDR": "10.244.1.0/24", "taints": taints},
    })
}

fn conflict() -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Operation cannot be fulfilled on nodes \"worker-1\": the object has been modified; please apply your changes to the latest version and try again",
        "reason": "Conflict", "details": {"name": "worker-1", "kind": "nodes"}, "code": 409
    })
}

#[tokio::test]
async fn dedicate_retries_on_conflict_and_keeps_foreign_taints() {
    let base_labels = json!({"kubernetes.io/hostname": "worker-1"});
    let after = node(
        "102",
        json!({"kubernetes.io/hostname": "worker-1", DEDICATED: "true"}),
        json!({OWNED: owned_noschedule()}),
        json!([foreign_a(), foreign_b(), ours_noschedule()]),
    );
    let server = ApiServer::start(vec![
        get(NODE_PATH, node("100", base_labels.clone(), json!({}), json!([foreign_a()]))),
        merge_patch(
            NODE_PATH,
            json!({
                "metadata": {"resourceVersion": "100", "labels": {DEDICATED: "true"}, "annotations": {OWNED: owned_noschedule()}},
                "spec": {"taints": [foreign_a(), ours_noschedule()]}
            }),
            409,
            conflict(),
        ),
        // Meanwhile another controller added its own taint.
        get(NODE_PATH, node("101", base_labels, json!({}), json!([foreign_a(), foreign_b()]))),
        merge_patch(
            NODE_PATH,
            json!({
                "metadata": {"resourceVersion": "101", "labels": {DEDICATED: "true"}, "annotations": {OWNED: owned_noschedule()}},
                "spec": {"taints": [foreign_a(), foreign_b(), ours_noschedule()]}
            }),
            200,
            after.clone(),
        ),
        // Second dedicate: nothing to do, no write.
        get(NODE_PATH, after),
    ])
    .await;
    let n = server.node("worker-1");
    assert!(n.dedicate().await.unwrap());
    assert!(!n.dedicate().await.unwrap());
    server.verify();
}

#[tokio::test]
async fn undedicate_removes_only_node_guard_taints() {
    let server = ApiServer::start(vec![
        get(
            NODE_PATH,
            node(
                "200",
                json!({"kubernetes.io/hostname": "worker-1", DEDICATED: "true", STATE: "blocked"}),
                json!({OWNED: owned_noschedule(), "node.alpha.kubernetes.io/ttl": "0"}),
                json!([foreign_a(), ours_noschedule(), foreign_b()]),
            ),
        ),
        merge_patch(
            NODE_PATH,
            json!({
                "metadata": {"resourceVersion": "200", "labels": {DEDICATED: null}, "annotations": {OWNED: null}},
                "spec": {"taints": [foreign_a(), foreign_b()]}
            }),
            200,
            node("201", json!({}), json!({}), json!([foreign_a(), foreign_b()])),
        ),
    ])
    .await;
    assert!(server.node("worker-1").undedicate().await.unwrap());
    server.verify();
}

#[tokio::test]
async fn persistent_conflict_gives_up_after_bounded_attempts() {
    let mut script = Vec::new();
    for i in 0..MAX_ATTEMPTS {
        let rv = format!("{}", 300 + i);
        script.push(get(NODE_PATH, node(&rv, json!({}), json!({}), json!([]))));
        script.push(merge_patch(
            NODE_PATH,
            json!({
                "metadata": {"resourceVersion": rv, "labels": {DEDICATED: "true"}, "annotations": {OWNED: owned_noschedule()}},
                "spec": {"taints": [ours_noschedule()]}
            }),
            409,
            conflict(),
        ));
    }
    let server = ApiServer::start(script).await;
    let e = server.node("worker-1").dedicate().await.unwrap_err();
    assert!(
        matches!(e, KubeError::Conflict { attempts, .. } if attempts == MAX_ATTEMPTS),
        "{e}"
    );
    server.verify();
}

#[tokio::test]
async fn other_api_errors_are_not_retried() {
    let server = ApiServer::start(vec![Expect {
        status: 403,
        response: json!({"kind":"Status","apiVersion":"v1","status":"Failure","message":"nodes \"worker-1\" is forbidden: User \"system:serviceaccount:kube-system:default\" cannot get resource \"nodes\"","reason":"Forbidden","code":403}),
        ..get(NODE_PATH, json!({}))
    }])
    .await;
    let e = server.node("worker-1").dedicate().await.unwrap_err();
    let msg = e.to_string();
    // Names the server, the node and the answer; no Rust debug structs.
    assert!(
        msg.starts_with(&format!(
            "http://{}: cannot read node worker-1: 403 Forbidden: nodes \"worker-1\" is forbidden",
            server.addr
        )),
        "{msg}"
    );
    assert!(
        !msg.contains("Status {") && !msg.contains("ErrorResponse"),
        "{msg}"
    );
    server.verify();
}

#[tokio::test]
async fn an_unreachable_api_server_is_named_in_the_error() {
    // Bind and drop a listener: nothing listens on that port now.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let n =
        NodeClient::new(client, "worker-9", Keys::default()).with_server(&format!("http://{addr}"));
    let msg = n.get().await.unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("http://{addr}: cannot read node worker-9: ")),
        "{msg}"
    );
    assert!(!msg.contains(" { "), "{msg}");
}

fn loaded_assessment() -> Assessment {
    let f = common::Fixture::with_module();
    f.append("proc/modules", common::SCTP_LOADED_LINES);
    let a = node_guard::state::assess(&node_guard::hostroot::HostRoot::new(f.root()));
    assert_eq!(a.state, SctpState::Loaded);
    a
}

fn status_patch(state_status: &'static str, reason: &'static str) -> Expect {
    Expect {
        method: "PATCH",
        path_and_query: format!("{NODE_PATH}/status?&fieldManager=node-guard"),
        content_type: Some("application/strategic-merge-patch+json"),
        body: None,
        check: Some(Box::new(move |b| {
            let c = &b["status"]["conditions"][0];
            assert_eq!(b["status"]["conditions"].as_array().unwrap().len(), 1);
            assert_eq!(c["type"], "SCTPKernelModule");
            assert_eq!(c["status"], state_status);
            assert_eq!(c["reason"], reason);
            assert!(c["message"].as_str().unwrap().contains("/proc/modules"));
            assert!(c["lastHeartbeatTime"].is_string() && c["lastTransitionTime"].is_string());
        })),
        status: 200,
        response: node("402", json!({}), json!({}), json!([])),
    }
}

fn event_post(reason: &'static str, kind: &'static str) -> Expect {
    Expect {
        method: "POST",
        path_and_query: "/api/v1/namespaces/default/events?".into(),
        content_type: Some("application/json"),
        body: None,
        check: Some(Box::new(move |b| {
            assert_eq!(b["involvedObject"]["kind"], "Node");
            assert_eq!(b["involvedObject"]["name"], "worker-1");
            assert_eq!(
                b["involvedObject"]["uid"],
                "6c2a1f0e-2b8e-4b8e-9a51-0c1d2e3f4a5b"
            );
            assert_eq!(b["reason"], reason);
            assert_eq!(b["type"], kind);
            assert_eq!(b["source"]["component"], "node-guard");
            assert_eq!(b["metadata"]["namespace"], "default");
            assert!(
                b["metadata"]["generateName"]
                    .as_str()
                    .unwrap()
                    .starts_with("worker-1.")
            );
        })),
        status: 201,
        response: json!({"apiVersion":"v1","kind":"Event","metadata":{"name":"worker-1.node-guard.x1","namespace":"default"},"involvedObject":{"kind":"Node","name":"worker-1"}}),
    }
}

#[tokio::test]
async fn reconcile_sets_label_condition_event_and_opt_in_noexecute_taint() {
    let dedicated_labels = json!({"kubernetes.io/hostname": "worker-1", DEDICATED: "true"});
    let owned_both = format!(
        r#"[{{"key":"{STATE}","effect":"NoExecute"}},{{"key":"{DEDICATED}","effect":"NoSchedule"}}]"#
    );
    let noexec = json!({"key": STATE, "value": "loaded", "effect": "NoExecute"});
    let with_taint = node(
        "401",
        json!({"kubernetes.io/hostname": "worker-1", DEDICATED: "true", STATE: "loaded"}),
        json!({OWNED: owned_both}),
        json!([foreign_a(), ours_noschedule(), noexec.clone()]),
    );
    let server = ApiServer::start(vec![
        get(NODE_PATH, node("400", dedicated_labels, json!({OWNED: owned_noschedule()}), json!([foreign_a(), ours_noschedule()]))),
        merge_patch(
            NODE_PATH,
            json!({
                "metadata": {"resourceVersion": "400", "labels": {STATE: "loaded"}, "annotations": {OWNED: owned_both}},
                "spec": {"taints": [foreign_a(), ours_noschedule(), noexec]}
            }),
            200,
            with_taint.clone(),
        ),
        status_patch("True", "KernelSCTPLoaded"),
        event_post("KernelSCTPLoaded", "Warning"),
        // After a reboot with the block in place: the NoExecute taint goes, the rest stays.
        get(NODE_PATH, with_taint),
        merge_patch(
            NODE_PATH,
            json!({
                "metadata": {"resourceVersion": "401", "labels": {STATE: "blocked"}, "annotations": {OWNED: owned_noschedule()}},
                "spec": {"taints": [foreign_a(), ours_noschedule()]}
            }),
            200,
            node("403", json!({}), json!({}), json!([])),
        ),
        Expect { check: Some(Box::new(|b| {
            assert_eq!(b["status"]["conditions"][0]["status"], "False");
            assert_eq!(b["status"]["conditions"][0]["reason"], "KernelSCTPBlocked");
        })), ..status_patch("False", "KernelSCTPBlocked") },
        Expect { check: Some(Box::new(|b| {
            assert_eq!(b["reason"], "KernelSCTPBlocked");
            assert_eq!(b["type"], "Normal");
            assert!(b["message"].as_str().unwrap().starts_with("kernel SCTP changed from loaded to blocked"));
        })), ..event_post("KernelSCTPBlocked", "Normal") },
    ])
    .await;
    let n = server.node("worker-1");
    let loaded = loaded_assessment();
    n.reconcile(None, &loaded, true).await.unwrap();
    let f = common::Fixture::with_module();
    f.write(
        "etc/modprobe.d/00-node-guard-sctp.conf",
        &node_guard::block::drop_in_content(),
    );
    let blocked = node_guard::state::assess(&node_guard::hostroot::HostRoot::new(f.root()));
    assert_eq!(blocked.state, SctpState::Blocked);
    n.reconcile(Some(SctpState::Loaded), &blocked, true)
        .await
        .unwrap();
    server.verify();
}

#[tokio::test]
async fn without_the_opt_in_no_noexecute_taint_and_no_repeat_event() {
    let server = ApiServer::start(vec![
        get(
            NODE_PATH,
            node(
                "500",
                json!({DEDICATED: "true"}),
                json!({}),
                json!([foreign_b()]),
            ),
        ),
        merge_patch(
            NODE_PATH,
            json!({"metadata": {"resourceVersion": "500", "labels": {STATE: "loaded"}}}),
            200,
            node(
                "501",
                json!({DEDICATED: "true", STATE: "loaded"}),
                json!({}),
                json!([foreign_b()]),
            ),
        ),
        status_patch("True", "KernelSCTPLoaded"),
        event_post("KernelSCTPLoaded", "Warning"),
        // Same state again: label already right (no node write), condition heartbeat, no event.
        get(
            NODE_PATH,
            node(
                "501",
                json!({DEDICATED: "true", STATE: "loaded"}),
                json!({}),
                json!([foreign_b()]),
            ),
        ),
        status_patch("True", "KernelSCTPLoaded"),
    ])
    .await;
    let n = server.node("worker-1");
    let a = loaded_assessment();
    n.reconcile(None, &a, false).await.unwrap();
    n.reconcile(Some(SctpState::Loaded), &a, false)
        .await
        .unwrap();
    server.verify();
}

async fn raw_http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    let status = buf.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = buf
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_mode_blocks_updates_the_node_and_serves_health_and_metrics() {
    let f = common::Fixture::with_module();
    let server = ApiServer::start(vec![
        get(
            NODE_PATH,
            node(
                "600",
                json!({"kubernetes.io/hostname": "worker-1"}),
                json!({}),
                json!([foreign_a()]),
            ),
        ),
        merge_patch(
            NODE_PATH,
            json!({"metadata": {"resourceVersion": "600", "labels": {STATE: "blocked"}}}),
            200,
            node(
                "601",
                json!({STATE: "blocked"}),
                json!({}),
                json!([foreign_a()]),
            ),
        ),
        Expect {
            check: Some(Box::new(|b| {
                assert_eq!(b["status"]["conditions"][0]["status"], "False");
                assert_eq!(b["status"]["conditions"][0]["reason"], "KernelSCTPBlocked");
            })),
            ..status_patch("False", "KernelSCTPBlocked")
        },
        Expect {
            check: Some(Box::new(|b| assert_eq!(b["reason"], "KernelSCTPBlocked"))),
            ..event_post("KernelSCTPBlocked", "Normal")
        },
    ])
    .await;
    let opts = node_guard::run::RunOptions {
        host: node_guard::hostroot::HostRoot::new(f.root()),
        listen: "127.0.0.1:0".parse().unwrap(),
        interval: Duration::from_millis(200),
        evict: true,
        block: node_guard::run::BlockMode::Always,
        duration: Some(Duration::from_millis(1500)),
        nfd_features: None,
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let run = tokio::spawn(node_guard::run::run(
        opts,
        Some(server.node("worker-1")),
        Box::new(node_guard::run::NoEvents),
        move |addr| {
            let _ = tx.send(addr);
        },
    ));
    let addr = rx.await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (code, body) = raw_http_get(addr, "/healthz").await;
    assert_eq!((code, body.as_str()), (200, "ok\n"));
    let (code, metrics) = raw_http_get(addr, "/metrics").await;
    assert_eq!(code, 200);
    assert!(
        metrics.contains("# TYPE node_guard_kernel_sctp_state gauge"),
        "{metrics}"
    );
    assert!(
        metrics.contains("node_guard_kernel_sctp_state{state=\"blocked\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("node_guard_kernel_sctp_state{state=\"loadable\"} 0"),
        "{metrics}"
    );
    assert!(metrics.contains("node_guard_violation 0"), "{metrics}");
    assert!(
        metrics.contains("node_guard_drop_in_rewrites_total 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("node_guard_kube_updates_total 1"),
        "{metrics}"
    );
    assert_eq!(raw_http_get(addr, "/nope").await.0, 404);
    run.await.unwrap().unwrap();
    // run wrote the drop-in first, so the node it reported is blocked.
    assert_eq!(
        f.read("etc/modprobe.d/00-node-guard-sctp.conf").unwrap(),
        node_guard::block::drop_in_content()
    );
    server.verify();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedicate_binary_reads_kubeconfig() {
    let labels = json!({"kubernetes.io/hostname": "worker-1"});
    let server = ApiServer::start(vec![
        get(NODE_PATH, node("700", labels, json!({}), json!([foreign_b()]))),
        merge_patch(
            NODE_PATH,
            json!({
                "metadata": {"resourceVersion": "700", "labels": {DEDICATED: "true"}, "annotations": {OWNED: owned_noschedule()}},
                "spec": {"taints": [foreign_b(), ours_noschedule()]}
            }),
            200,
            node("701", json!({}), json!({}), json!([])),
        ),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: stand-in\n  cluster:\n    server: http://{}\ncontexts:\n- name: stand-in\n  context:\n    cluster: stand-in\n    user: operator\ncurrent-context: stand-in\nusers:\n- name: operator\n  user:\n    token: not-a-secret\n",
            server.addr
        ),
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_node-guard"))
        .args(["dedicate"])
        .env("KUBECONFIG", &kubeconfig)
        .env("NODE_NAME", "worker-1")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), "node worker-1 dedicated to userspace SCTP");
    server.verify();
}

/// A status patch checked for its condition's status and reason only.
fn status_reason(state_status: &'static str, reason: &'static str) -> Expect {
    Expect {
        check: Some(Box::new(move |b| {
            let c = &b["status"]["conditions"][0];
            assert_eq!(
                (c["status"].as_str(), c["reason"].as_str()),
                (Some(state_status), Some(reason))
            );
        })),
        ..status_patch(state_status, reason)
    }
}

fn blocked_assessment(f: &common::Fixture) -> Assessment {
    f.write(
        "etc/modprobe.d/00-node-guard-sctp.conf",
        &node_guard::block::drop_in_content(),
    );
    let a = node_guard::state::assess(&node_guard::hostroot::HostRoot::new(f.root()));
    assert_eq!(a.state, SctpState::Blocked);
    a
}

#[tokio::test]
async fn after_a_restart_the_state_label_is_the_previous_state() {
    let f = common::Fixture::with_module();
    let a = blocked_assessment(&f);
    // The label says `loaded` (left by the previous run): the Event names the change.
    let server = ApiServer::start(vec![
        get(
            NODE_PATH,
            node("800", json!({STATE: "loaded"}), json!({}), json!([])),
        ),
        merge_patch(
            NODE_PATH,
            json!({"metadata": {"resourceVersion": "800", "labels": {STATE: "blocked"}}}),
            200,
            node("801", json!({STATE: "blocked"}), json!({}), json!([])),
        ),
        status_reason("False", "KernelSCTPBlocked"),
        Expect {
            check: Some(Box::new(|b| {
                let m = b["message"].as_str().unwrap();
                assert!(
                    m.starts_with("kernel SCTP changed from loaded to blocked: "),
                    "{m}"
                );
            })),
            ..event_post("KernelSCTPBlocked", "Normal")
        },
    ])
    .await;
    server
        .node("worker-1")
        .reconcile(None, &a, false)
        .await
        .unwrap();
    server.verify();

    // The label already says `blocked`: a restart records no new Event.
    let server = ApiServer::start(vec![
        get(
            NODE_PATH,
            node("900", json!({STATE: "blocked"}), json!({}), json!([])),
        ),
        status_reason("False", "KernelSCTPBlocked"),
    ])
    .await;
    server
        .node("worker-1")
        .reconcile(None, &a, false)
        .await
        .unwrap();
    server.verify();
}

fn unreachable_node() -> NodeClient {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    NodeClient::new(
        kube::Client::try_from(config).unwrap(),
        "worker-1",
        Keys::default(),
    )
}

async fn run_briefly(f: &common::Fixture, block: node_guard::run::BlockMode) {
    let opts = node_guard::run::RunOptions {
        host: node_guard::hostroot::HostRoot::new(f.root()),
        listen: "127.0.0.1:0".parse().unwrap(),
        interval: Duration::from_millis(200),
        evict: false,
        block,
        duration: Some(Duration::from_millis(700)),
        nfd_features: None,
    };
    node_guard::run::run(
        opts,
        Some(unreachable_node()),
        Box::new(node_guard::run::NoEvents),
        |_| {},
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_blocks_before_it_needs_the_api_server() {
    let f = common::Fixture::with_module();
    run_briefly(&f, node_guard::run::BlockMode::Always).await;
    assert_eq!(
        f.read("etc/modprobe.d/00-node-guard-sctp.conf").unwrap(),
        node_guard::block::drop_in_content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_block_dedicated_never_newly_blocks_a_node_it_cannot_see() {
    let f = common::Fixture::with_module();
    run_briefly(&f, node_guard::run::BlockMode::Dedicated).await;
    assert!(f.read("etc/modprobe.d/00-node-guard-sctp.conf").is_none());
    run_briefly(&f, node_guard::run::BlockMode::Never).await;
    assert!(f.read("etc/modprobe.d/00-node-guard-sctp.conf").is_none());
    // A drop-in from an earlier run (the node was dedicated then) is kept and repaired.
    f.write(
        "etc/modprobe.d/00-node-guard-sctp.conf",
        &format!("{}\n# edited\n", node_guard::block::HEADER),
    );
    run_briefly(&f, node_guard::run::BlockMode::Dedicated).await;
    assert_eq!(
        f.read("etc/modprobe.d/00-node-guard-sctp.conf").unwrap(),
        node_guard::block::drop_in_content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_block_dedicated_blocks_once_the_node_is_dedicated() {
    let f = common::Fixture::with_module();
    let labels = json!({DEDICATED: "true"});
    let server = ApiServer::start(vec![
        get(NODE_PATH, node("10", labels.clone(), json!({}), json!([]))),
        merge_patch(
            NODE_PATH,
            json!({"metadata": {"resourceVersion": "10", "labels": {STATE: "loadable"}}}),
            200,
            node(
                "11",
                json!({DEDICATED: "true", STATE: "loadable"}),
                json!({}),
                json!([]),
            ),
        ),
        status_reason("True", "KernelSCTPLoadable"),
        event_post("KernelSCTPLoadable", "Warning"),
        get(
            NODE_PATH,
            node(
                "11",
                json!({DEDICATED: "true", STATE: "loadable"}),
                json!({}),
                json!([]),
            ),
        ),
        merge_patch(
            NODE_PATH,
            json!({"metadata": {"resourceVersion": "11", "labels": {STATE: "blocked"}}}),
            200,
            node(
                "12",
                json!({DEDICATED: "true", STATE: "blocked"}),
                json!({}),
                json!([]),
            ),
        ),
        status_reason("False", "KernelSCTPBlocked"),
        event_post("KernelSCTPBlocked", "Normal"),
    ])
    .await;
    let opts = node_guard::run::RunOptions {
        host: node_guard::hostroot::HostRoot::new(f.root()),
        listen: "127.0.0.1:0".parse().unwrap(),
        interval: Duration::from_millis(200),
        evict: false,
        block: node_guard::run::BlockMode::Dedicated,
        duration: Some(Duration::from_millis(1500)),
        nfd_features: None,
    };
    node_guard::run::run(
        opts,
        Some(server.node("worker-1")),
        Box::new(node_guard::run::NoEvents),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(
        f.read("etc/modprobe.d/00-node-guard-sctp.conf").unwrap(),
        node_guard::block::drop_in_content()
    );
    server.verify();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_without_the_api_publishes_an_nfd_feature_file() {
    let f = common::Fixture::with_module();
    let features = f.path("etc/kubernetes/node-feature-discovery/features.d/node-guard");
    let opts = node_guard::run::RunOptions {
        host: node_guard::hostroot::HostRoot::new(f.root()),
        listen: "127.0.0.1:0".parse().unwrap(),
        interval: Duration::from_millis(200),
        evict: false,
        block: node_guard::run::BlockMode::Always,
        duration: Some(Duration::from_millis(700)),
        nfd_features: Some(features.clone()),
    };
    node_guard::run::run(opts, None, Box::new(node_guard::run::NoEvents), |_| {})
        .await
        .unwrap();
    let text = std::fs::read_to_string(&features).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>(),
        [format!("{STATE}=blocked")]
    );
}
