//! The deploy/ manifests parse into Kubernetes types and have the properties node-guard
//! and the example workload rely on.

use clap::Parser as _;
use k8s_openapi::api::admissionregistration::v1::{
    ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment};
use k8s_openapi::api::core::v1::{Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
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

fn daemonset_spec() -> (DaemonSet, k8s_openapi::api::core::v1::PodSpec) {
    let d = docs("daemonset.yaml");
    let ds: Vec<DaemonSet> = of_kind(&d, "DaemonSet");
    assert_eq!(ds.len(), 1);
    let spec = ds[0].spec.as_ref().unwrap().template.spec.clone().unwrap();
    (ds[0].clone(), spec)
}

#[test]
fn daemonset() {
    let (_, spec) = daemonset_spec();
    // The census reads the host's /proc through the mount: no host PID namespace.
    assert_ne!(spec.host_pid, Some(true));
    // Kernel uevents reach the host network namespace only.
    assert_eq!(spec.host_network, Some(true));
    assert_eq!(
        spec.priority_class_name.as_deref(),
        Some("system-node-critical")
    );
    assert_eq!(spec.service_account_name.as_deref(), Some("node-guard"));
    let c = &spec.containers[0];
    let args = c.args.as_ref().unwrap();
    assert_eq!(args[0], "run");
    assert!(args.contains(&"--host-root=/host".to_owned()));
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
    // The args parse with the real command line (with a host root that exists here).
    let root = std::env::temp_dir();
    let mut argv = vec!["node-guard".to_owned()];
    argv.extend(args.iter().map(|a| match a.as_str() {
        "--host-root=/host" => format!("--host-root={}", root.display()),
        _ => a.clone(),
    }));
    node_guard::cli::Cli::try_parse_from(argv).unwrap();
}

#[test]
fn daemonset_runs_only_on_dedicated_nodes_and_tolerates_every_taint() {
    let (_, spec) = daemonset_spec();
    let terms = &spec
        .affinity
        .as_ref()
        .unwrap()
        .node_affinity
        .as_ref()
        .unwrap()
        .required_during_scheduling_ignored_during_execution
        .as_ref()
        .unwrap()
        .node_selector_terms;
    assert_eq!(terms.len(), 1);
    let e = &terms[0].match_expressions.as_ref().unwrap()[0];
    assert_eq!(e.key, node_guard::k8s::Keys::default().dedicated());
    assert_eq!(e.operator, "In");
    assert_eq!(e.values.as_deref(), Some(&["true".to_owned()][..]));
    // The value `dedicate` writes is the one the affinity wants.
    let patch = node_guard::k8s::node::dedicate_patch(
        &k8s_openapi::api::core::v1::Node::default(),
        &node_guard::k8s::Keys::default(),
    )
    .unwrap();
    assert_eq!(patch["metadata"]["labels"][&e.key], "true");
    let tol = spec.tolerations.as_ref().unwrap();
    assert!(
        tol.iter().any(|t| t.operator.as_deref() == Some("Exists")
            && t.key.is_none()
            && t.effect.is_none()),
        "a node agent tolerates everything: {tol:?}"
    );
    let args = spec.containers[0].args.as_ref().unwrap();
    assert!(args.contains(&"--block=always".to_owned()), "{args:?}");
}

#[test]
fn daemonset_least_privilege() {
    let (_, spec) = daemonset_spec();
    assert_eq!(
        spec.security_context
            .as_ref()
            .unwrap()
            .seccomp_profile
            .as_ref()
            .unwrap()
            .type_,
        "RuntimeDefault"
    );
    let c = &spec.containers[0];
    let sc = c.security_context.as_ref().unwrap();
    assert_eq!(sc.allow_privilege_escalation, Some(false));
    assert_eq!(sc.read_only_root_filesystem, Some(true));
    assert_ne!(sc.privileged, Some(true));
    let caps = sc.capabilities.as_ref().unwrap();
    assert_eq!(caps.drop.as_deref(), Some(&["ALL".to_owned()][..]));
    assert!(
        caps.add.as_ref().is_none_or(|a| a.is_empty()),
        "no added capabilities: {:?}",
        caps.add
    );
    // Only the host paths node-guard reads; only /etc/modprobe.d writable; never the whole /.
    let read = [
        "/proc",
        "/sys/module",
        "/boot",
        "/lib/modules",
        "/usr/lib/modules",
        "/run/modprobe.d",
        "/usr/local/lib/modprobe.d",
        "/usr/lib/modprobe.d",
        "/lib/modprobe.d",
        "/etc/modules-load.d",
        "/run/modules-load.d",
        "/usr/lib/modules-load.d",
    ];
    let volumes = spec.volumes.as_ref().unwrap();
    let mounts = c.volume_mounts.as_ref().unwrap();
    assert_eq!(mounts.len(), read.len() + 1);
    for m in mounts {
        let v = volumes.iter().find(|v| v.name == m.name).unwrap();
        let host_path = &v.host_path.as_ref().expect("host mounts only").path;
        assert_eq!(m.mount_path, format!("/host{host_path}"));
        if host_path == "/etc/modprobe.d" {
            assert_ne!(m.read_only, Some(true));
        } else {
            assert!(
                read.contains(&host_path.as_str()),
                "{host_path} is not read"
            );
            assert_eq!(m.read_only, Some(true), "{host_path} must be read-only");
        }
    }
    // The drop-in's directory is the writable mount.
    assert!(node_guard::block::DROP_IN.starts_with("/etc/modprobe.d/"));
    // Every directory kmod reads is mounted.
    for d in node_guard::modprobe::MODPROBE_DIRS {
        assert!(
            mounts.iter().any(|m| m.mount_path == format!("/host{d}")),
            "{d} not mounted"
        );
    }
}

#[test]
fn metrics_port_is_configurable_and_not_a_well_known_agent_port() {
    let (ds, spec) = daemonset_spec();
    let c = &spec.containers[0];
    let listen = c
        .args
        .as_ref()
        .unwrap()
        .iter()
        .find_map(|a| a.strip_prefix("--listen="))
        .unwrap();
    let port: i32 = listen.rsplit(':').next().unwrap().parse().unwrap();
    // 9808 is the CSI livenessprobe default; 9100 node-exporter; 10248.. kubelet and proxy.
    assert!(![9100, 9808, 10248, 10249, 10250, 10255, 10256].contains(&port));
    let p = &c.ports.as_ref().unwrap()[0];
    assert_eq!(
        (p.name.as_deref(), p.container_port),
        (Some("metrics"), port)
    );
    let probe_port = |p: &Option<k8s_openapi::api::core::v1::Probe>| match &p
        .as_ref()
        .unwrap()
        .http_get
        .as_ref()
        .unwrap()
        .port
    {
        IntOrString::Int(i) => *i,
        IntOrString::String(s) => panic!("named probe port {s}"),
    };
    assert_eq!(probe_port(&c.liveness_probe), port);
    assert_eq!(probe_port(&c.readiness_probe), port);
    let ann = ds
        .spec
        .unwrap()
        .template
        .metadata
        .unwrap()
        .annotations
        .unwrap();
    assert_eq!(ann["prometheus.io/port"], port.to_string());
    // The binary's default is the same port.
    let cli = node_guard::cli::Cli::try_parse_from(["node-guard", "run"]).unwrap();
    let node_guard::cli::Command::Run(r) = cli.command else {
        panic!("not run")
    };
    assert_eq!(i32::from(r.listen.port()), port);
    // The PodMonitor scrapes the named port.
    let pm = docs("podmonitor.yaml");
    assert_eq!(pm[0]["kind"], "PodMonitor");
    assert_eq!(pm[0]["spec"]["podMetricsEndpoints"][0]["port"], "metrics");
    assert_eq!(
        pm[0]["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
        "node-guard"
    );
}

#[test]
fn admission_policy_limits_writes_to_the_pods_own_node() {
    let d = docs("admission-policy.yaml");
    let p: Vec<ValidatingAdmissionPolicy> = of_kind(&d, "ValidatingAdmissionPolicy");
    let b: Vec<ValidatingAdmissionPolicyBinding> = of_kind(&d, "ValidatingAdmissionPolicyBinding");
    let spec = p[0].spec.as_ref().unwrap();
    let bspec = b[0].spec.as_ref().unwrap();
    assert_eq!(bspec.policy_name.as_deref(), p[0].metadata.name.as_deref());
    assert_eq!(
        bspec.validation_actions.as_deref(),
        Some(&["Deny".to_owned()][..])
    );
    assert_eq!(spec.failure_policy.as_deref(), Some("Fail"));
    let rules = spec
        .match_constraints
        .as_ref()
        .unwrap()
        .resource_rules
        .as_ref()
        .unwrap();
    let covered: Vec<&String> = rules
        .iter()
        .flat_map(|r| r.resources.iter().flatten())
        .collect();
    for r in ["nodes", "nodes/status", "events"] {
        assert!(covered.iter().any(|c| *c == r), "{r} not covered");
    }
    let cond = &spec.match_conditions.as_ref().unwrap()[0].expression;
    let vars: String = spec
        .variables
        .iter()
        .flatten()
        .map(|v| v.expression.clone())
        .collect();
    assert!(vars.contains("authentication.kubernetes.io/node-name"));
    // The service account named is the one in rbac.yaml.
    let sa: Vec<ServiceAccount> = of_kind(&docs("rbac.yaml"), "ServiceAccount");
    assert!(cond.contains(&format!(
        "'system:serviceaccount:{}:{}'",
        sa[0].metadata.namespace.as_deref().unwrap(),
        sa[0].metadata.name.as_deref().unwrap()
    )));
}

#[test]
fn rbac_is_exactly_the_calls_made() {
    let d = docs("rbac.yaml");
    let sa: Vec<ServiceAccount> = of_kind(&d, "ServiceAccount");
    assert_eq!(sa[0].metadata.namespace.as_deref(), Some("kube-system"));
    let roles: Vec<ClusterRole> = of_kind(&d, "ClusterRole");
    let mut granted: Vec<(String, String, String)> = Vec::new();
    for r in roles[0].rules.as_ref().unwrap() {
        for g in r.api_groups.iter().flatten() {
            for res in r.resources.iter().flatten() {
                for v in &r.verbs {
                    granted.push((g.clone(), res.clone(), v.clone()));
                }
            }
        }
    }
    let ns_roles: Vec<Role> = of_kind(&d, "Role");
    assert_eq!(ns_roles[0].metadata.namespace.as_deref(), Some("default"));
    for r in ns_roles[0].rules.as_ref().unwrap() {
        for g in r.api_groups.iter().flatten() {
            for res in r.resources.iter().flatten() {
                for v in &r.verbs {
                    granted.push((g.clone(), format!("default/{res}"), v.clone()));
                }
            }
        }
    }
    granted.sort();
    let want: Vec<(String, String, String)> = [
        ("", "default/events", "create"),
        ("", "nodes", "get"),
        ("", "nodes", "patch"),
        ("", "nodes/status", "patch"),
    ]
    .iter()
    .map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into()))
    .collect();
    assert_eq!(granted, want);
    let b: Vec<ClusterRoleBinding> = of_kind(&d, "ClusterRoleBinding");
    let s = &b[0].subjects.as_ref().unwrap()[0];
    assert_eq!(
        (s.kind.as_str(), s.name.as_str()),
        ("ServiceAccount", "node-guard")
    );
    assert_eq!(b[0].role_ref.name, "node-guard");
    let rb: Vec<RoleBinding> = of_kind(&d, "RoleBinding");
    assert_eq!(
        Some(&rb[0].role_ref.name),
        ns_roles[0].metadata.name.as_ref()
    );
    assert_eq!(rb[0].subjects.as_ref().unwrap()[0].name, "node-guard");
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
    // NET_RAW is beyond Pod Security "baseline": the namespace says which level it needs.
    let caps = spec.containers[0]
        .security_context
        .as_ref()
        .unwrap()
        .capabilities
        .as_ref()
        .unwrap();
    assert!(caps.add.iter().flatten().any(|c| c == "NET_RAW"));
    let ns = d.iter().find(|v| v["kind"] == "Namespace").unwrap();
    assert_eq!(
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "privileged"
    );
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

#[test]
fn daemonset_runs_the_image_the_containerfile_builds() {
    let (_, spec) = daemonset_spec();
    let image = spec.containers[0].image.as_deref().unwrap();
    assert_eq!(
        image,
        format!("localhost/node-guard:{}", env!("CARGO_PKG_VERSION"))
    );
    let cf =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Containerfile")).unwrap();
    let directives: Vec<&str> = cf
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.starts_with(' '))
        .collect();
    assert_eq!(directives[0], "FROM scratch");
    assert!(directives.contains(&"COPY node-guard /node-guard"));
    assert!(directives.contains(&"ENTRYPOINT [\"/node-guard\"]"));
    // The script that builds it tags the same name.
    let script = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/kube-node-guard-image.sh"
    ))
    .unwrap();
    assert!(script.contains("localhost/node-guard:$version"));
}

#[test]
fn sctp_proxy_lands_on_dedicated_nodes_and_finds_its_backends_by_srv() {
    use k8s_openapi::api::core::v1::ConfigMap;
    let d = docs("sctp-proxy.yaml");
    let keys = node_guard::k8s::Keys::default();
    let deps: Vec<Deployment> = of_kind(&d, "Deployment");
    assert_eq!(deps.len(), 1);
    let ns = deps[0].metadata.namespace.clone().unwrap();
    let spec = deps[0]
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .clone()
        .unwrap();
    // Required affinity on the label `dedicate` sets; tolerates its NoSchedule taint and not
    // the kernel-sctp NoExecute one (those pods must move away).
    let e = &spec
        .affinity
        .as_ref()
        .unwrap()
        .node_affinity
        .as_ref()
        .unwrap()
        .required_during_scheduling_ignored_during_execution
        .as_ref()
        .unwrap()
        .node_selector_terms[0]
        .match_expressions
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        (e.key.as_str(), e.operator.as_str()),
        (keys.dedicated().as_str(), "In")
    );
    assert_eq!(e.values.as_deref(), Some(&["true".to_owned()][..]));
    let tol = spec.tolerations.as_ref().unwrap();
    assert!(
        tol.iter()
            .any(|t| t.key.as_deref() == Some(keys.dedicated().as_str())
                && t.value.as_deref() == Some("true")
                && t.effect.as_deref() == Some("NoSchedule"))
    );
    assert!(
        tol.iter()
            .all(|t| t.key.is_some() && t.key.as_deref() != Some(keys.state().as_str())),
        "{tol:?}"
    );
    // No RBAC, no token; NET_RAW and nothing else.
    assert_eq!(spec.automount_service_account_token, Some(false));
    let c = &spec.containers[0];
    let sc = c.security_context.as_ref().unwrap();
    assert_eq!(sc.allow_privilege_escalation, Some(false));
    assert_eq!(sc.read_only_root_filesystem, Some(true));
    assert_ne!(sc.privileged, Some(true));
    let caps = sc.capabilities.as_ref().unwrap();
    assert_eq!(caps.drop.as_deref(), Some(&["ALL".to_owned()][..]));
    assert_eq!(caps.add.as_deref(), Some(&["NET_RAW".to_owned()][..]));
    let nsdoc = d.iter().find(|v| v["kind"] == "Namespace").unwrap();
    assert_eq!(nsdoc["metadata"]["name"], ns.as_str());
    assert_eq!(
        nsdoc["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "privileged"
    );
    // The config file is the mounted ConfigMap's proxy.toml.
    let mut argv = c.command.clone().unwrap();
    argv.extend(c.args.clone().unwrap());
    assert_eq!(
        argv,
        [
            "/usr/local/bin/sctp-proxy",
            "--config",
            "/etc/sctp-proxy/proxy.toml"
        ]
    );
    let m = c.volume_mounts.as_ref().unwrap();
    assert_eq!(m[0].mount_path, "/etc/sctp-proxy");
    let v = spec.volumes.as_ref().unwrap();
    let vol = v.iter().find(|v| v.name == m[0].name).unwrap();
    let cm_name = &vol.config_map.as_ref().unwrap().name;
    let cms: Vec<ConfigMap> = of_kind(&d, "ConfigMap");
    let cm = cms
        .iter()
        .find(|c| c.metadata.name.as_ref() == Some(cm_name))
        .unwrap();
    let toml = &cm.data.as_ref().unwrap()["proxy.toml"];
    let setting = |key: &str| {
        toml.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = ")))
            .map(|v| v.split('#').next().unwrap().trim().trim_matches('"'))
            .unwrap_or_else(|| panic!("{key} not in proxy.toml"))
    };
    // The kubelet's SIGKILL comes after the drain.
    let drain: i64 = setting("drain-timeout-secs").parse().unwrap();
    assert!(spec.termination_grace_period_seconds.unwrap() > 2 * drain);
    // Probes and the metrics port are the config's `metrics` port.
    let metrics: i32 = setting("metrics")
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    for (probe, path) in [
        (&c.readiness_probe, "/readyz"),
        (&c.liveness_probe, "/healthz"),
    ] {
        let h = probe.as_ref().unwrap().http_get.as_ref().unwrap();
        assert_eq!(
            (h.path.as_deref(), &h.port),
            (Some(path), &IntOrString::Int(metrics))
        );
    }
    let ports = c.ports.as_ref().unwrap();
    assert!(ports.iter().any(|p| p.name.as_deref() == Some("metrics")
        && p.container_port == metrics
        && p.protocol.as_deref() == Some("TCP")));
    assert!(
        ports
            .iter()
            .any(|p| p.container_port == 3868 && p.protocol.as_deref() == Some("SCTP"))
    );
    // An SCTP Service in front; the SRV name the config asks for is the one the headless
    // backend Service gets: _<port name>._sctp.<service>.<namespace>.svc.cluster.local.
    let svcs: Vec<Service> = of_kind(&d, "Service");
    let front = svcs
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some("sctp-proxy"))
        .unwrap();
    let fp = &front.spec.as_ref().unwrap().ports.as_ref().unwrap()[0];
    assert_eq!((fp.port, fp.protocol.as_deref()), (3868, Some("SCTP")));
    let backend = svcs
        .iter()
        .find(|s| s.spec.as_ref().unwrap().cluster_ip.as_deref() == Some("None"))
        .unwrap();
    let bp = &backend.spec.as_ref().unwrap().ports.as_ref().unwrap()[0];
    assert_eq!(bp.protocol.as_deref(), Some("SCTP"));
    let srv = format!(
        "_{}._sctp.{}.{}.svc.cluster.local",
        bp.name.as_deref().unwrap(),
        backend.metadata.name.as_deref().unwrap(),
        backend.metadata.namespace.as_deref().unwrap()
    );
    assert_eq!(setting("srv"), format!("[\"{srv}\"]"));
    let pm = d.iter().find(|v| v["kind"] == "PodMonitor").unwrap();
    assert_eq!(pm["spec"]["podMetricsEndpoints"][0]["port"], "metrics");
    assert_eq!(
        pm["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
        "sctp-proxy"
    );
}
