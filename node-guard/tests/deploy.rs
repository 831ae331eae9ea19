//! The deploy/ manifests parse into Kubernetes types and have the properties node-guard
//! and the example workload rely on.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment};
use k8s_openapi::api::core::v1::{Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use serde::Deserialize;
use serde_json::Value;

fn docs(file: &str) -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/");
    let text = std::fs::read_to_string(format!("{path}{file}")).unwrap();
    serde_norway::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

fn of_kind<T: serde::de::DeserializeOwned>(docs: &[Value], kind: &str) -> Vec<T> {
    docs.iter()
        .filter(|d| d["kind"] == kind)
        .map(|d| serde_json::from_value(d.clone()).unwrap_or_else(|e| panic!("{kind}: {e}")))
        .collect()
}

#[test]
fn daemonset() {
    let d = docs("daemonset.yaml");
    let ds: Vec<DaemonSet> = of_kind(&d, "DaemonSet");
    assert_eq!(ds.len(), 1);
    let spec = ds[0].spec.as_ref().unwrap().template.spec.as_ref().unwrap();
    assert_eq!(spec.host_pid, Some(true));
    assert_eq!(spec.host_network, Some(true));
    assert_eq!(
        spec.priority_class_name.as_deref(),
        Some("system-node-critical")
    );
    assert_eq!(spec.service_account_name.as_deref(), Some("node-guard"));
    let tol = spec.tolerations.as_ref().unwrap();
    for (key, effect) in [
        ("sctp.node-guard.io/userspace-dedicated", "NoSchedule"),
        ("sctp.node-guard.io/kernel-sctp", "NoExecute"),
    ] {
        assert!(
            tol.iter().any(|t| t.key.as_deref() == Some(key)
                && t.effect.as_deref() == Some(effect)
                && t.operator.as_deref() == Some("Exists")),
            "missing toleration {key}:{effect}"
        );
    }
    let c = &spec.containers[0];
    assert_eq!(c.args.as_ref().unwrap()[0], "run");
    assert!(
        c.args
            .as_ref()
            .unwrap()
            .contains(&"--host-root=/host".to_owned())
    );
    let env = c.env.as_ref().unwrap();
    let node_name = env.iter().find(|e| e.name == "NODE_NAME").unwrap();
    assert_eq!(
        node_name
            .value_from
            .as_ref()
            .unwrap()
            .field_ref
            .as_ref()
            .unwrap()
            .field_path,
        "spec.nodeName"
    );
    assert_eq!(
        c.liveness_probe
            .as_ref()
            .unwrap()
            .http_get
            .as_ref()
            .unwrap()
            .path
            .as_deref(),
        Some("/healthz")
    );
    // Every host mount read-only except modprobe.d.
    let volumes = spec.volumes.as_ref().unwrap();
    for m in c.volume_mounts.as_ref().unwrap() {
        let v = volumes.iter().find(|v| v.name == m.name).unwrap();
        let host_path = &v.host_path.as_ref().expect("host mounts only").path;
        if host_path == "/etc/modprobe.d" {
            assert_eq!(m.mount_path, "/host/etc/modprobe.d");
            assert_ne!(m.read_only, Some(true));
        } else {
            assert_eq!(
                m.read_only,
                Some(true),
                "{} must be read-only",
                m.mount_path
            );
        }
    }
    assert!(
        volumes
            .iter()
            .any(|v| v.host_path.as_ref().is_some_and(|h| h.path == "/"))
    );
}

#[test]
fn rbac_is_least_privilege() {
    let d = docs("rbac.yaml");
    let sa: Vec<ServiceAccount> = of_kind(&d, "ServiceAccount");
    assert_eq!(sa[0].metadata.namespace.as_deref(), Some("kube-system"));
    let roles: Vec<ClusterRole> = of_kind(&d, "ClusterRole");
    let rules = roles[0].rules.as_ref().unwrap();
    let verbs = |res: &str| -> Vec<String> {
        rules
            .iter()
            .filter(|r| r.resources.as_ref().unwrap().iter().any(|x| x == res))
            .flat_map(|r| r.verbs.clone())
            .collect()
    };
    assert_eq!(verbs("nodes"), ["get", "list", "watch", "patch", "update"]);
    assert_eq!(verbs("nodes/status"), ["patch", "update"]);
    assert!(
        verbs("events")
            .iter()
            .all(|v| v == "create" || v == "patch")
    );
    assert!(
        rules
            .iter()
            .all(|r| !r.verbs.iter().any(|v| v == "*" || v == "delete"))
    );
    assert!(rules.iter().all(|r| {
        !r.resources
            .as_ref()
            .unwrap()
            .iter()
            .any(|x| x == "*" || x == "secrets")
    }));
    let b: Vec<ClusterRoleBinding> = of_kind(&d, "ClusterRoleBinding");
    let s = &b[0].subjects.as_ref().unwrap()[0];
    assert_eq!(
        (s.kind.as_str(), s.name.as_str()),
        ("ServiceAccount", "node-guard")
    );
    assert_eq!(b[0].role_ref.name, "node-guard");
}

#[test]
fn example_workload_lands_on_dedicated_nodes_and_speaks_sctp() {
    let d = docs("example-workload.yaml");
    let deps: Vec<Deployment> = of_kind(&d, "Deployment");
    let spec = deps[0]
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap();
    assert_eq!(
        spec.node_selector
            .as_ref()
            .unwrap()
            .get("sctp.node-guard.io/userspace-dedicated")
            .map(String::as_str),
        Some("true")
    );
    assert!(spec.tolerations.as_ref().unwrap().iter().any(|t| {
        t.key.as_deref() == Some("sctp.node-guard.io/userspace-dedicated")
            && t.effect.as_deref() == Some("NoSchedule")
    }));
    let port = &spec.containers[0].ports.as_ref().unwrap()[0];
    assert_eq!(port.protocol.as_deref(), Some("SCTP"));
    let svcs: Vec<Service> = of_kind(&d, "Service");
    assert_eq!(svcs.len(), 2);
    for s in &svcs {
        let ports = s.spec.as_ref().unwrap().ports.as_ref().unwrap();
        assert!(ports.iter().all(|p| p.protocol.as_deref() == Some("SCTP")));
    }
    let headless = svcs
        .iter()
        .find(|s| s.spec.as_ref().unwrap().cluster_ip.as_deref() == Some("None"))
        .unwrap();
    let p = &headless.spec.as_ref().unwrap().ports.as_ref().unwrap()[0];
    assert_eq!(
        p.name.as_deref(),
        Some("sctp"),
        "named port `sctp` gives _sctp._sctp SRV records"
    );
}
