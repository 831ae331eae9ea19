//! node-guard against a real `kube-apiserver` (1.20.2, built from Debian's source package)
//! with etcd, token authentication and RBAC, as `scripts/kube-apiserver.sh test` starts it.
//!
//! The script applies `deploy/rbac.yaml` and exports the server URL, its CA and three
//! static tokens: an admin (`system:masters`), node-guard's service account
//! (`system:serviceaccount:kube-system:node-guard`, bound by `deploy/rbac.yaml`) and a
//! service account without any binding (`...:default`). The node-guard binary runs with the
//! service account's token through a kubeconfig file (`--kubeconfig`); the admin checks
//! what it wrote and plays the other writers. Without that environment every test here
//! prints why it is skipped and passes (`NODE_GUARD_REAL_APISERVER_REQUIRED=1`, which the
//! script sets, turns a missing variable into a failure).

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{ConfigMap, Event, Node, NodeCondition, Secret, Taint};
use kube::api::{
    ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
    PostParams,
};
use kube::{Api, Client};
use node_guard::k8s::{Keys, NodeClient};
use serde_json::{Value, json};

const DEDICATED: &str = "sctp.node-guard.io/userspace-dedicated";
const STATE: &str = "sctp.node-guard.io/kernel-sctp";
const OWNED: &str = "sctp.node-guard.io/owned-taints";
const SA_USER: &str = "system:serviceaccount:kube-system:node-guard";
const NOBODY_USER: &str = "system:serviceaccount:kube-system:default";

/// The running API server, from the script's environment.
struct Real {
    server: String,
    ca: PathBuf,
    admin_token: String,
    sa_token: String,
    nobody_token: String,
    dir: tempfile::TempDir,
}

/// The API server, or `None` (with a loud message) when the script did not start one.
fn real(test: &str) -> Option<Real> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let vars = [
        "NODE_GUARD_REAL_APISERVER",
        "NODE_GUARD_REAL_APISERVER_CA",
        "NODE_GUARD_REAL_APISERVER_ADMIN_TOKEN",
        "NODE_GUARD_REAL_APISERVER_SA_TOKEN",
        "NODE_GUARD_REAL_APISERVER_NOBODY_TOKEN",
    ];
    let missing: Vec<&str> = vars.iter().copied().filter(|k| var(k).is_none()).collect();
    if !missing.is_empty() {
        assert!(
            var("NODE_GUARD_REAL_APISERVER_REQUIRED").is_none(),
            "{test}: NODE_GUARD_REAL_APISERVER_REQUIRED is set but {} missing",
            missing.join(", ")
        );
        // Straight to stderr, past libtest's capture: a skip is seen even when tests pass.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no real API server ({} unset); run `scripts/kube-apiserver.sh test`",
            missing.join(", ")
        );
        return None;
    }
    Some(Real {
        server: var(vars[0])?,
        ca: PathBuf::from(var(vars[1])?),
        admin_token: var(vars[2])?,
        sa_token: var(vars[3])?,
        nobody_token: var(vars[4])?,
        dir: tempfile::tempdir().unwrap(),
    })
}

impl Real {
    /// A kubeconfig file for `token` (written once per name).
    fn kubeconfig(&self, name: &str, token: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.kubeconfig"));
        if !path.exists() {
            std::fs::write(
                &path,
                format!(
                    "apiVersion: v1\nkind: Config\nclusters:\n- name: real\n  cluster:\n    server: {}\n    certificate-authority: {}\ncontexts:\n- name: real\n  context:\n    cluster: real\n    user: {name}\ncurrent-context: real\nusers:\n- name: {name}\n  user:\n    token: {token}\n",
                    self.server,
                    self.ca.display()
                ),
            )
            .unwrap();
        }
        path
    }

    fn sa_kubeconfig(&self) -> PathBuf {
        self.kubeconfig("node-guard", &self.sa_token)
    }

    async fn client(&self, name: &str, token: &str) -> Client {
        let kc = kube::config::Kubeconfig::read_from(self.kubeconfig(name, token)).unwrap();
        let config =
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await
                .unwrap();
        Client::try_from(config).unwrap()
    }

    async fn admin(&self) -> Client {
        self.client("admin", &self.admin_token).await
    }

    async fn sa(&self) -> Client {
        self.client("node-guard", &self.sa_token).await
    }

    /// Runs the node-guard binary with the service account's kubeconfig.
    async fn node_guard(&self, args: &[&str]) -> Output {
        self.node_guard_as(&self.sa_kubeconfig(), args).await
    }

    async fn node_guard_as(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_node-guard"))
            .args(args)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .env_remove("KUBECONFIG")
            .env_remove("NODE_NAME")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env("RUST_LOG", "info")
            .kill_on_drop(true)
            .output();
        tokio::time::timeout(Duration::from_secs(60), out)
            .await
            .expect("node-guard did not finish in 60 s")
            .unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts success and returns stdout.
fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A node name unique to this test and this process (the server may outlive one run).
fn unique(base: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{base}-{}-{nanos}", std::process::id())
}

fn taint(key: &str, value: Option<&str>, effect: &str) -> Taint {
    Taint {
        key: key.into(),
        value: value.map(str::to_owned),
        effect: effect.into(),
        time_added: None,
    }
}

fn foreign_a() -> Taint {
    taint("node-role.kubernetes.io/control-plane", None, "NoSchedule")
}

fn foreign_b() -> Taint {
    taint("example.com/gpu", Some("a100"), "NoSchedule")
}

fn ours() -> Taint {
    taint(DEDICATED, Some("true"), "NoSchedule")
}

/// Creates a node as admin, with a hostname label and `taints`.
async fn create_node(admin: &Client, name: &str, taints: &[Taint]) -> Node {
    let node: Node = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {"taints": taints},
    }))
    .unwrap();
    Api::<Node>::all(admin.clone())
        .create(&PostParams::default(), &node)
        .await
        .unwrap()
}

/// The taints of a node the admin just created. The API server is itself a foreign
/// writer: its `TaintNodesByCondition` admission plugin adds `node.kubernetes.io/not-ready`
/// to every new node.
fn base_taints(created: &Node, given: &[Taint]) -> Vec<Taint> {
    let base = taints_of(created);
    assert!(given.iter().all(|t| base.contains(t)), "{base:?}");
    assert!(
        base.iter()
            .any(|t| t.key == "node.kubernetes.io/not-ready" && t.effect == "NoSchedule"),
        "{base:?}"
    );
    base
}

/// `base` followed by `more`.
fn plus(base: &[Taint], more: &[Taint]) -> Vec<Taint> {
    base.iter().chain(more).cloned().collect()
}

async fn get_node(admin: &Client, name: &str) -> Node {
    Api::<Node>::all(admin.clone()).get(name).await.unwrap()
}

fn taints_of(n: &Node) -> Vec<Taint> {
    n.spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default()
}

fn label_of<'a>(n: &'a Node, key: &str) -> Option<&'a str> {
    n.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

fn annotation_of<'a>(n: &'a Node, key: &str) -> Option<&'a str> {
    n.metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

fn condition_of(n: &Node) -> Option<NodeCondition> {
    n.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "SCTPKernelModule")
        .cloned()
}

/// Adds a taint the way a well-behaved controller does: read, append, write with the
/// resourceVersion read, retry on 409 Conflict.
async fn add_foreign_taint(admin: &Client, name: &str, t: Taint) {
    let nodes = Api::<Node>::all(admin.clone());
    for _ in 0..50 {
        let mut n = nodes.get(name).await.unwrap();
        let spec = n.spec.get_or_insert_with(Default::default);
        spec.taints.get_or_insert_with(Vec::new).push(t.clone());
        match nodes.replace(name, &PostParams::default(), &n).await {
            Ok(_) => return,
            Err(kube::Error::Api(s)) if s.is_conflict() => {}
            Err(e) => panic!("foreign writer: {e}"),
        }
    }
    panic!("foreign writer: 50 conflicts in a row on {name}");
}

async fn events_about(admin: &Client, name: &str) -> Vec<Event> {
    Api::<Event>::namespaced(admin.clone(), "default")
        .list(&ListParams::default().fields(&format!("involvedObject.name={name}")))
        .await
        .unwrap()
        .items
}

fn is_forbidden<T: std::fmt::Debug>(r: Result<T, kube::Error>, what: &str) {
    match r {
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 403, "{what}: expected 403 Forbidden, got {s:?}");
            assert!(
                s.message.contains(SA_USER),
                "{what}: the denial names the user: {}",
                s.message
            );
        }
        other => panic!("{what}: expected 403 Forbidden, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedicate_and_undedicate_as_the_service_account_keep_foreign_taints() {
    let Some(r) = real("dedicate_and_undedicate_as_the_service_account_keep_foreign_taints") else {
        return;
    };
    let admin = r.admin().await;
    let name = unique("ng-dedicate");
    let base = base_taints(
        &create_node(&admin, &name, &[foreign_a()]).await,
        &[foreign_a()],
    );

    let out = r.node_guard(&["dedicate", "--node", &name]).await;
    assert_eq!(
        ok(&out, "dedicate").trim(),
        format!("node {name} dedicated to userspace SCTP")
    );
    let n = get_node(&admin, &name).await;
    assert_eq!(label_of(&n, DEDICATED), Some("true"));
    assert_eq!(label_of(&n, "kubernetes.io/hostname"), Some(name.as_str()));
    assert_eq!(taints_of(&n), plus(&base, &[ours()]));
    assert_eq!(
        annotation_of(&n, OWNED),
        Some(format!(r#"[{{"key":"{DEDICATED}","effect":"NoSchedule"}}]"#).as_str())
    );
    // The write is recorded under node-guard's field manager.
    let managers: Vec<String> = n
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|m| m.manager.clone())
        .collect();
    assert!(managers.iter().any(|m| m == "node-guard"), "{managers:?}");

    // Again: nothing to do, and nothing is written (same resourceVersion).
    let out = r.node_guard(&["dedicate", "--node", &name]).await;
    assert_eq!(
        ok(&out, "dedicate again").trim(),
        format!("node {name} was already dedicated")
    );
    let again = get_node(&admin, &name).await;
    assert_eq!(again.metadata.resource_version, n.metadata.resource_version);

    // Another controller adds its taint; undedicate removes only node-guard's.
    add_foreign_taint(&admin, &name, foreign_b()).await;
    let out = r.node_guard(&["undedicate", "--node", &name]).await;
    assert_eq!(
        ok(&out, "undedicate").trim(),
        format!("node {name} no longer dedicated")
    );
    let n = get_node(&admin, &name).await;
    assert_eq!(label_of(&n, DEDICATED), None);
    assert_eq!(annotation_of(&n, OWNED), None);
    assert_eq!(taints_of(&n), plus(&base, &[foreign_b()]));
    let out = r.node_guard(&["undedicate", "--node", &name]).await;
    assert_eq!(
        ok(&out, "undedicate again").trim(),
        format!("node {name} was not dedicated")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_between_read_and_patch_gets_409_and_node_guard_retries() {
    let Some(r) = real("a_write_between_read_and_patch_gets_409_and_node_guard_retries") else {
        return;
    };
    let admin = r.admin().await;
    let name = unique("ng-conflict");
    let base = base_taints(
        &create_node(&admin, &name, &[foreign_a()]).await,
        &[foreign_a()],
    );
    let node = NodeClient::new(r.sa().await, &name, Keys::default()).with_server(&r.server);
    let plans = AtomicUsize::new(0);
    let (admin2, name2) = (admin.clone(), name.clone());
    let (n, written) = node
        .update(|current, keys| {
            if plans.fetch_add(1, Ordering::SeqCst) == 0 {
                // After node-guard's read, before its patch: another writer changes the node.
                let (admin, name) = (admin2.clone(), name2.clone());
                std::thread::spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap()
                        .block_on(add_foreign_taint(&admin, &name, foreign_b()));
                })
                .join()
                .unwrap();
            }
            node_guard::k8s::node::dedicate_patch(current, keys)
        })
        .await
        .unwrap();
    assert!(written);
    // The first patch carried a stale resourceVersion: the real server answered 409 and
    // node-guard read again.
    assert_eq!(plans.load(Ordering::SeqCst), 2);
    assert_eq!(taints_of(&n), plus(&base, &[foreign_b(), ours()]));
    assert_eq!(
        taints_of(&get_node(&admin, &name).await),
        plus(&base, &[foreign_b(), ours()])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_writers_racing_dedicate_and_undedicate_lose_no_taint() {
    let Some(r) = real("foreign_writers_racing_dedicate_and_undedicate_lose_no_taint") else {
        return;
    };
    let admin = r.admin().await;
    let name = unique("ng-race");
    let base = base_taints(
        &create_node(&admin, &name, &[foreign_a()]).await,
        &[foreign_a()],
    );
    const FOREIGN: usize = 12;
    let foreign: Vec<Taint> = (0..FOREIGN)
        .map(|i| taint(&format!("example.com/writer-{i}"), Some("x"), "NoSchedule"))
        .collect();
    let writer = {
        let (admin, name, foreign) = (admin.clone(), name.clone(), foreign.clone());
        tokio::spawn(async move {
            for t in foreign {
                add_foreign_taint(&admin, &name, t).await;
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        })
    };
    let mut retries = 0;
    for i in 0..8 {
        let cmd = if i % 2 == 0 { "dedicate" } else { "undedicate" };
        let out = r.node_guard(&[cmd, "--node", &name]).await;
        ok(&out, cmd);
        retries += text(&out.stderr).matches("retrying").count();
    }
    writer.await.unwrap();
    eprintln!("node-guard retried {retries} times after 409 Conflict");
    let n = get_node(&admin, &name).await;
    let mut want = plus(&base, &foreign);
    let mut got = taints_of(&n);
    got.sort_by(|a, b| a.key.cmp(&b.key));
    want.sort_by(|a, b| a.key.cmp(&b.key));
    // Every foreign taint survived; the last command was undedicate: none of ours left.
    assert_eq!(got, want);
    assert_eq!(label_of(&n, DEDICATED), None);
    // And a final dedicate adds ours beside all of them.
    ok(
        &r.node_guard(&["dedicate", "--node", &name]).await,
        "dedicate",
    );
    let n = get_node(&admin, &name).await;
    assert_eq!(taints_of(&n).len(), base.len() + FOREIGN + 1);
    assert_eq!(taints_of(&n).last(), Some(&ours()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_as_the_service_account_keeps_label_condition_and_events() {
    let Some(r) = real("run_as_the_service_account_keeps_label_condition_and_events") else {
        return;
    };
    let admin = r.admin().await;
    let name = unique("ng-run");
    let created = create_node(&admin, &name, &[foreign_a()]).await;
    let base = base_taints(&created, &[foreign_a()]);
    ok(
        &r.node_guard(&["dedicate", "--node", &name]).await,
        "dedicate",
    );
    let f = common::Fixture::with_module();
    let root = f.root().to_str().unwrap().to_owned();
    let run = |extra: &'static [&'static str]| {
        let mut args = vec![
            "run",
            "--host-root",
            &root,
            "--node",
            &name,
            "--listen",
            "127.0.0.1:0",
            "--interval",
            "200ms",
            "--duration",
            "2500ms",
            "--block",
            "always",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run_args = run(&[]);
    let args: Vec<&str> = run_args.iter().map(String::as_str).collect();

    // 1. A node where sctp is loadable: run blocks it and reports `blocked`.
    let out = r.node_guard(&args).await;
    let stdout = ok(&out, "run");
    assert!(stdout.contains("\"blocked\""), "{stdout}");
    assert_eq!(
        f.read("etc/modprobe.d/00-node-guard-sctp.conf").unwrap(),
        node_guard::block::drop_in_content()
    );
    let n = get_node(&admin, &name).await;
    assert_eq!(label_of(&n, STATE), Some("blocked"));
    assert_eq!(label_of(&n, DEDICATED), Some("true"));
    assert_eq!(taints_of(&n), plus(&base, &[ours()]));
    let c1 = condition_of(&n).expect("SCTPKernelModule condition on nodes/status");
    assert_eq!(
        (c1.status.as_str(), c1.reason.as_deref()),
        ("False", Some("KernelSCTPBlocked"))
    );
    assert!(
        c1.message
            .as_deref()
            .unwrap()
            .starts_with("kernel SCTP is blocked"),
        "{c1:?}"
    );
    let events = events_about(&admin, &name).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e.reason.as_deref(), Some("KernelSCTPBlocked"));
    assert_eq!(e.type_.as_deref(), Some("Normal"));
    assert_eq!(e.involved_object.kind.as_deref(), Some("Node"));
    assert_eq!(e.involved_object.uid, created.metadata.uid);
    assert_eq!(
        e.source.as_ref().and_then(|s| s.component.as_deref()),
        Some("node-guard")
    );
    assert!(
        e.message
            .as_deref()
            .unwrap()
            .starts_with("kernel SCTP is blocked"),
        "{e:?}"
    );

    // 2. A restart with no change: the label is the previous state, so no new Event; the
    //    condition's heartbeat moves, its transition time stays.
    ok(&r.node_guard(&args).await, "run again");
    let n = get_node(&admin, &name).await;
    assert_eq!(events_about(&admin, &name).await.len(), 1);
    let c2 = condition_of(&n).unwrap();
    assert_eq!(c2.status, "False");
    assert_eq!(c2.last_transition_time, c1.last_transition_time);
    assert!(
        c2.last_heartbeat_time.as_ref().unwrap().0 > c1.last_heartbeat_time.as_ref().unwrap().0,
        "{c1:?} {c2:?}"
    );

    // 3. sctp appears (loaded before the block): with the opt-in, the NoExecute taint joins
    //    the others; a Warning Event says what changed; the condition turns True.
    f.append("proc/modules", common::SCTP_LOADED_LINES);
    let run_args = run(&["--evict-on-kernel-sctp"]);
    let args: Vec<&str> = run_args.iter().map(String::as_str).collect();
    ok(&r.node_guard(&args).await, "run with sctp loaded");
    let n = get_node(&admin, &name).await;
    assert_eq!(label_of(&n, STATE), Some("loaded"));
    assert_eq!(
        taints_of(&n),
        plus(&base, &[ours(), taint(STATE, Some("loaded"), "NoExecute")])
    );
    let owned: Value = serde_json::from_str(annotation_of(&n, OWNED).unwrap()).unwrap();
    assert_eq!(
        owned,
        json!([{"key": STATE, "effect": "NoExecute"}, {"key": DEDICATED, "effect": "NoSchedule"}])
    );
    let c3 = condition_of(&n).unwrap();
    assert_eq!(
        (c3.status.as_str(), c3.reason.as_deref()),
        ("True", Some("KernelSCTPLoaded"))
    );
    assert_ne!(c3.last_transition_time, c1.last_transition_time);
    let events = events_about(&admin, &name).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let warning = events
        .iter()
        .find(|e| e.reason.as_deref() == Some("KernelSCTPLoaded"))
        .expect("a KernelSCTPLoaded Event");
    assert_eq!(warning.type_.as_deref(), Some("Warning"));
    assert!(
        warning
            .message
            .as_deref()
            .unwrap()
            .starts_with("kernel SCTP changed from blocked to loaded: "),
        "{warning:?}"
    );

    // 4. undedicate removes the dedication and the NoExecute taint, keeps the foreign one.
    ok(
        &r.node_guard(&["undedicate", "--node", &name]).await,
        "undedicate",
    );
    let n = get_node(&admin, &name).await;
    assert_eq!(taints_of(&n), base);
    assert_eq!(label_of(&n, STATE), Some("loaded"));
}

/// Asks the API server whether the service account may do something.
async fn may(sa: &Client, verb: &str, resource: &str, sub: Option<&str>, ns: Option<&str>) -> bool {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.into()),
                group: Some(String::new()),
                resource: Some(resource.into()),
                subresource: sub.map(str::to_owned),
                namespace: ns.map(str::to_owned),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    Api::<SelfSubjectAccessReview>::all(sa.clone())
        .create(&PostParams::default(), &review)
        .await
        .unwrap()
        .status
        .unwrap()
        .allowed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_allows_exactly_the_calls_node_guard_makes() {
    let Some(r) = real("rbac_allows_exactly_the_calls_node_guard_makes") else {
        return;
    };
    let sa = r.sa().await;
    let allowed = [
        ("get", "nodes", None, None),
        ("patch", "nodes", None, None),
        ("patch", "nodes", Some("status"), None),
        ("create", "events", None, Some("default")),
    ];
    for (verb, res, sub, ns) in allowed {
        assert!(
            may(&sa, verb, res, sub, ns).await,
            "{SA_USER} may not {verb} {res}/{sub:?} in {ns:?}: deploy/rbac.yaml is not sufficient"
        );
    }
    let denied = [
        ("list", "nodes", None, None),
        ("watch", "nodes", None, None),
        ("create", "nodes", None, None),
        ("update", "nodes", None, None),
        ("delete", "nodes", None, None),
        ("deletecollection", "nodes", None, None),
        ("get", "nodes", Some("status"), None),
        ("update", "nodes", Some("status"), None),
        ("get", "nodes", Some("proxy"), None),
        ("create", "events", None, Some("kube-system")),
        ("list", "events", None, Some("default")),
        ("patch", "events", None, Some("default")),
        ("delete", "events", None, Some("default")),
        ("get", "secrets", None, Some("kube-system")),
        ("list", "pods", None, None),
        ("create", "pods", Some("eviction"), Some("default")),
        ("patch", "configmaps", None, Some("default")),
        (
            "create",
            "serviceaccounts",
            Some("token"),
            Some("kube-system"),
        ),
    ];
    for (verb, res, sub, ns) in denied {
        assert!(
            !may(&sa, verb, res, sub, ns).await,
            "{SA_USER} may {verb} {res}/{sub:?} in {ns:?}: deploy/rbac.yaml is broader than the calls"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_account_is_forbidden_everything_else() {
    let Some(r) = real("the_service_account_is_forbidden_everything_else") else {
        return;
    };
    let (admin, sa) = (r.admin().await, r.sa().await);
    let name = unique("ng-narrow");
    let created = create_node(&admin, &name, &[foreign_a()]).await;
    let nodes = Api::<Node>::all(sa.clone());

    is_forbidden(nodes.list(&ListParams::default()).await, "list nodes");
    is_forbidden(
        nodes.delete(&name, &DeleteParams::default()).await,
        "delete a node",
    );
    let mut replaced = created.clone();
    replaced
        .metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("x".into(), "y".into());
    is_forbidden(
        nodes
            .replace(&name, &PostParams::default(), &replaced)
            .await,
        "update (PUT) a node",
    );
    let mut other = created.clone();
    other.metadata = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: Some(unique("ng-forged")),
        ..Default::default()
    };
    is_forbidden(
        nodes.create(&PostParams::default(), &other).await,
        "create a node",
    );
    // The node is untouched.
    let after = get_node(&admin, &name).await;
    assert_eq!(
        after.metadata.resource_version,
        created.metadata.resource_version
    );

    // A foreign resource: a ConfigMap the admin owns.
    let cm_name = unique("ng-foreign");
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": cm_name, "namespace": "default"}, "data": {"k": "v"}
    }))
    .unwrap();
    Api::<ConfigMap>::namespaced(admin.clone(), "default")
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
    let cms = Api::<ConfigMap>::namespaced(sa.clone(), "default");
    is_forbidden(
        cms.patch(
            &cm_name,
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"k": "changed"}})),
        )
        .await,
        "patch a ConfigMap",
    );
    is_forbidden(cms.get(&cm_name).await, "read a ConfigMap");
    let cm_after = Api::<ConfigMap>::namespaced(admin.clone(), "default")
        .get(&cm_name)
        .await
        .unwrap();
    assert_eq!(cm_after.data.unwrap()["k"], "v");

    is_forbidden(
        Api::<Secret>::namespaced(sa.clone(), "kube-system")
            .list(&ListParams::default())
            .await,
        "list secrets",
    );
    // Events only in `default`.
    let ev: Event = serde_json::from_value(json!({
        "metadata": {"generateName": "ng-", "namespace": "kube-system"},
        "involvedObject": {"kind": "Node", "name": name},
        "reason": "Test", "message": "m", "type": "Normal"
    }))
    .unwrap();
    is_forbidden(
        Api::<Event>::namespaced(sa.clone(), "kube-system")
            .create(&PostParams::default(), &ev)
            .await,
        "create an Event in kube-system",
    );
    is_forbidden(
        Api::<Event>::namespaced(sa.clone(), "default")
            .list(&ListParams::default())
            .await,
        "list Events",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unbound_service_account_gets_a_403_naming_server_node_and_user() {
    let Some(r) = real("an_unbound_service_account_gets_a_403_naming_server_node_and_user") else {
        return;
    };
    let admin = r.admin().await;
    let name = unique("ng-unbound");
    create_node(&admin, &name, &[]).await;
    let kc = r.kubeconfig("nobody", &r.nobody_token);
    let out = r.node_guard_as(&kc, &["dedicate", "--node", &name]).await;
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = text(&out.stderr);
    let want = format!(
        "node-guard: error: {}: cannot read node {name}: 403 Forbidden: nodes \"{name}\" is forbidden: User \"{NOBODY_USER}\" cannot get resource \"nodes\"",
        r.server
    );
    assert!(stderr.contains(&want), "{stderr}\nwanted: {want}");
    assert!(
        !stderr.contains("Status {") && !stderr.contains("ErrorResponse"),
        "{stderr}"
    );
    assert_eq!(label_of(&get_node(&admin, &name).await, DEDICATED), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_admission_policy_the_service_account_can_patch_any_node() {
    let Some(r) = real("without_the_admission_policy_the_service_account_can_patch_any_node")
    else {
        return;
    };
    let admin = r.admin().await;
    // This server predates ValidatingAdmissionPolicy (GA in 1.30).
    let version = admin.apiserver_version().await.unwrap();
    let minor: u32 = version.minor.trim_end_matches('+').parse().unwrap();
    assert_eq!(version.major, "1");
    assert!(minor < 30, "{version:?}: this test documents older servers");
    let groups = admin.list_api_groups().await.unwrap();
    let admission = groups
        .groups
        .iter()
        .find(|g| g.name == "admissionregistration.k8s.io")
        .expect("admissionregistration.k8s.io");
    for gv in &admission.versions {
        let resources = admin
            .list_api_group_resources(&gv.group_version)
            .await
            .unwrap();
        assert!(
            resources
                .resources
                .iter()
                .all(|res| !res.name.starts_with("validatingadmissionpolic")),
            "{}: {:?}",
            gv.group_version,
            resources.resources
        );
    }
    // deploy/admission-policy.yaml cannot be applied here: the kind does not exist.
    let manifest_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/admission-policy.yaml");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let policy: DynamicObject = serde_norway::Deserializer::from_str(&manifest)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .find(|o: &DynamicObject| {
            o.types.as_ref().map(|t| t.kind.as_str()) == Some("ValidatingAdmissionPolicy")
        })
        .expect("a ValidatingAdmissionPolicy in deploy/admission-policy.yaml");
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingAdmissionPolicy",
        ),
        "validatingadmissionpolicies",
    );
    match Api::<DynamicObject>::all_with(admin.clone(), &ar)
        .create(&PostParams::default(), &policy)
        .await
    {
        Err(kube::Error::Api(s)) => assert_eq!(s.code, 404, "{s:?}"),
        other => panic!("creating the policy on {version:?}: {other:?}"),
    }

    // So RBAC alone holds, and RBAC cannot say "own node": node-guard's service account
    // (its token carries no node claim here) dedicates a node it does not run on.
    let other = unique("ng-other");
    let base = base_taints(
        &create_node(&admin, &other, &[foreign_b()]).await,
        &[foreign_b()],
    );
    ok(
        &r.node_guard(&["dedicate", "--node", &other]).await,
        "dedicate another node",
    );
    let n = get_node(&admin, &other).await;
    assert_eq!(label_of(&n, DEDICATED), Some("true"));
    assert_eq!(taints_of(&n), plus(&base, &[ours()]));

    // The documented limits say exactly this.
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/node-guard.md"),
    )
    .unwrap();
    assert!(docs.contains("Kubernetes >= 1.30"), "docs/node-guard.md");
    assert!(
        docs.contains("Without ValidatingAdmissionPolicy the service account can patch any node"),
        "docs/node-guard.md"
    );
    assert!(manifest.contains("Kubernetes >= 1.30"), "{manifest_path:?}");
    assert!(
        manifest.contains("RBAC alone lets the service account patch any\n# node"),
        "{manifest_path:?}"
    );
}
