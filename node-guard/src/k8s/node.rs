//! Labels, taints, the node condition and events as pure functions over `Node` objects.
//!
//! Taints are a list that other controllers own parts of: node-guard computes the whole new
//! list from the one it read, keeps every taint it does not own, and records the taints it
//! added in the `<prefix>/owned-taints` annotation.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, EventSource, Node, NodeCondition, ObjectReference, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::state::{Assessment, SctpState};

/// The default label, taint and annotation prefix.
pub const DEFAULT_PREFIX: &str = "sctp.node-guard.io";
/// The node condition type.
pub const CONDITION_TYPE: &str = "SCTPKernelModule";
/// Component name in events and the field manager.
pub const COMPONENT: &str = "node-guard";

/// Bad `--prefix` values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeysError {
    /// The prefix is not a DNS subdomain.
    #[error(
        "invalid --prefix {0:?}: must be a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit), e.g. sctp.node-guard.io"
    )]
    InvalidPrefix(String),
}

/// The label, taint and annotation keys under one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// Validates `prefix` (a DNS subdomain).
    pub fn new(prefix: &str) -> Result<Self, KeysError> {
        let ok = !prefix.is_empty()
            && prefix.len() <= 253
            && prefix.split('.').all(|part| {
                !part.is_empty()
                    && part.len() <= 63
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !part.starts_with('-')
                    && !part.ends_with('-')
            });
        if ok {
            Ok(Self {
                prefix: prefix.to_owned(),
            })
        } else {
            Err(KeysError::InvalidPrefix(prefix.to_owned()))
        }
    }

    /// `<prefix>/userspace-dedicated`: the isolation label and NoSchedule taint key.
    pub fn dedicated(&self) -> String {
        format!("{}/userspace-dedicated", self.prefix)
    }

    /// `<prefix>/kernel-sctp`: the state label and NoExecute taint key.
    pub fn state(&self) -> String {
        format!("{}/kernel-sctp", self.prefix)
    }

    /// `<prefix>/owned-taints`: the annotation listing taints node-guard added.
    pub fn owned(&self) -> String {
        format!("{}/owned-taints", self.prefix)
    }
}

impl Default for Keys {
    fn default() -> Self {
        Self {
            prefix: DEFAULT_PREFIX.to_owned(),
        }
    }
}

/// A taint's identity: key and effect.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TaintId {
    /// Taint key.
    pub key: String,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
}

impl TaintId {
    fn of(t: &Taint) -> Self {
        Self {
            key: t.key.clone(),
            effect: t.effect.clone(),
        }
    }
}

/// The taints node-guard owns on `node`, from its annotation (unparsable means none).
pub fn owned_taints(node: &Node, keys: &Keys) -> Vec<TaintId> {
    node.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(&keys.owned()))
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

fn taints(node: &Node) -> Vec<Taint> {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default()
}

fn label<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

/// Whether the node carries the isolation label.
pub fn is_dedicated(node: &Node, keys: &Keys) -> bool {
    label(node, &keys.dedicated()) == Some("true")
}

/// A planned edit of a node's labels and taints.
#[derive(Debug, Clone, Default, PartialEq)]
struct Edit {
    labels: BTreeMap<String, Option<String>>,
    taints: Vec<Taint>,
    owned: Vec<TaintId>,
    taints_changed: bool,
}

impl Edit {
    fn new(node: &Node, keys: &Keys) -> Self {
        Self {
            labels: BTreeMap::new(),
            taints: taints(node),
            owned: owned_taints(node, keys),
            taints_changed: false,
        }
    }

    fn set_label(&mut self, node: &Node, key: String, value: Option<&str>) {
        if label(node, &key) != value {
            self.labels.insert(key, value.map(str::to_owned));
        }
    }

    /// Adds a taint unless one with the same key and effect exists; owns it if added.
    fn add_taint(&mut self, key: String, value: &str, effect: &str) {
        let id = TaintId {
            key: key.clone(),
            effect: effect.to_owned(),
        };
        match self.taints.iter_mut().find(|t| TaintId::of(t) == id) {
            Some(t) if self.owned.contains(&id) && t.value.as_deref() != Some(value) => {
                t.value = Some(value.to_owned());
                self.taints_changed = true;
            }
            Some(_) => {}
            None => {
                self.taints.push(Taint {
                    key,
                    value: Some(value.to_owned()),
                    effect: effect.to_owned(),
                    time_added: None,
                });
                self.owned.push(id);
                self.taints_changed = true;
            }
        }
    }

    /// Removes a taint if node-guard owns it (or `force`), and forgets ownership.
    fn remove_taint(&mut self, key: String, effect: &str, force: bool) {
        let id = TaintId {
            key,
            effect: effect.to_owned(),
        };
        let owned = self.owned.contains(&id);
        if owned || force {
            let before = self.taints.len();
            self.taints.retain(|t| TaintId::of(t) != id);
            self.taints_changed |= before != self.taints.len();
        }
        if owned {
            self.owned.retain(|o| *o != id);
            self.taints_changed = true;
        }
    }

    fn into_patch(mut self, node: &Node, keys: &Keys) -> Option<Value> {
        // Ownership only of taints still on the node.
        self.owned.sort();
        self.owned.dedup();
        let before_owned = owned_taints(node, keys);
        let owned_changed = before_owned != self.owned;
        if self.labels.is_empty() && !self.taints_changed && !owned_changed {
            return None;
        }
        let mut meta = serde_json::Map::new();
        meta.insert(
            "resourceVersion".into(),
            json!(node.metadata.resource_version.clone().unwrap_or_default()),
        );
        if !self.labels.is_empty() {
            meta.insert("labels".into(), json!(self.labels));
        }
        if owned_changed {
            let v = if self.owned.is_empty() {
                Value::Null
            } else {
                json!(serde_json::to_string(&self.owned).unwrap_or_default())
            };
            meta.insert("annotations".into(), json!({ keys.owned(): v }));
        }
        let mut patch = json!({ "metadata": meta });
        if self.taints_changed {
            patch["spec"] = json!({ "taints": self.taints });
        }
        Some(patch)
    }
}

/// The JSON merge patch that dedicates a node (label + NoSchedule taint), or `None` if it
/// already is. The patch carries `metadata.resourceVersion`, so a stale write gets 409.
pub fn dedicate_patch(node: &Node, keys: &Keys) -> Option<Value> {
    let mut e = Edit::new(node, keys);
    e.set_label(node, keys.dedicated(), Some("true"));
    e.add_taint(keys.dedicated(), "true", "NoSchedule");
    e.into_patch(node, keys)
}

/// The patch that undoes [`dedicate_patch`]: removes the label and node-guard's taints
/// (the dedication taint even if someone else added it; other taints stay).
pub fn undedicate_patch(node: &Node, keys: &Keys) -> Option<Value> {
    let mut e = Edit::new(node, keys);
    e.set_label(node, keys.dedicated(), None);
    e.remove_taint(keys.dedicated(), "NoSchedule", true);
    e.remove_taint(keys.state(), "NoExecute", false);
    e.into_patch(node, keys)
}

/// The patch that keeps the state label current and, with `evict`, a NoExecute taint on a
/// dedicated node where kernel SCTP is present (loaded or built in).
pub fn state_patch(node: &Node, keys: &Keys, state: SctpState, evict: bool) -> Option<Value> {
    let mut e = Edit::new(node, keys);
    e.set_label(node, keys.state(), Some(state.as_str()));
    let present = matches!(state, SctpState::Loaded | SctpState::Builtin);
    if evict && present && is_dedicated(node, keys) {
        e.add_taint(keys.state(), state.as_str(), "NoExecute");
    } else if !present {
        e.remove_taint(keys.state(), "NoExecute", false);
    }
    e.into_patch(node, keys)
}

/// The state an earlier run left in the node's state label, if any.
pub fn reported_state(node: &Node, keys: &Keys) -> Option<SctpState> {
    let value = node.metadata.labels.as_ref()?.get(&keys.state())?;
    SctpState::ALL.into_iter().find(|s| s.as_str() == value)
}

/// Reason for the condition and events.
pub fn reason(state: SctpState) -> &'static str {
    match state {
        SctpState::Loaded => "KernelSCTPLoaded",
        SctpState::Builtin => "KernelSCTPBuiltin",
        SctpState::Loadable => "KernelSCTPLoadable",
        SctpState::Blocked => "KernelSCTPBlocked",
        SctpState::Absent => "KernelSCTPAbsent",
        SctpState::Unknown => "KernelSCTPUnknown",
    }
}

/// A one-line message with the state, the first pieces of evidence and the advice.
pub fn message(a: &Assessment) -> String {
    let mut m = format!("kernel SCTP is {}", a.state);
    for ev in a.evidence.iter().take(3) {
        m.push_str("; ");
        m.push_str(&ev.to_string());
    }
    m.push_str(". ");
    m.push_str(&a.advice());
    m.chars().take(1024).collect()
}

/// The `SCTPKernelModule` condition, node-problem-detector style: `True` means the problem
/// (kernel SCTP present or loadable) is there. The transition time is kept when the status
/// does not change.
pub fn condition(node: &Node, a: &Assessment, now: Timestamp) -> NodeCondition {
    let status = match a.verdict() {
        crate::state::Verdict::Violation => "True",
        crate::state::Verdict::Ok => "False",
        crate::state::Verdict::Unknown => "Unknown",
    };
    let previous = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == CONDITION_TYPE));
    let transition = match previous {
        Some(p) if p.status == status => p.last_transition_time.clone(),
        _ => None,
    };
    NodeCondition {
        type_: CONDITION_TYPE.into(),
        status: status.into(),
        reason: Some(reason(a.state).into()),
        message: Some(message(a)),
        last_heartbeat_time: Some(Time(now)),
        last_transition_time: Some(transition.unwrap_or(Time(now))),
    }
}

/// The strategic merge patch for `/status` that sets the condition (merged by type).
pub fn condition_patch(c: &NodeCondition) -> Value {
    json!({ "status": { "conditions": [c] } })
}

/// A core/v1 Event about the node for a state change.
pub fn event(node: &Node, previous: Option<SctpState>, a: &Assessment, now: Timestamp) -> Event {
    let name = node.metadata.name.clone().unwrap_or_default();
    let warning = a.verdict() != crate::state::Verdict::Ok;
    let what = match previous {
        Some(p) => format!("kernel SCTP changed from {p} to {}: ", a.state),
        None => String::new(),
    };
    Event {
        metadata: ObjectMeta {
            generate_name: Some(format!("{name}.node-guard.")),
            namespace: Some("default".into()),
            ..Default::default()
        },
        involved_object: ObjectReference {
            api_version: Some("v1".into()),
            kind: Some("Node".into()),
            name: Some(name.clone()),
            uid: node.metadata.uid.clone(),
            ..Default::default()
        },
        reason: Some(reason(a.state).into()),
        message: Some(format!("{what}{}", message(a))),
        type_: Some(if warning { "Warning" } else { "Normal" }.into()),
        source: Some(EventSource {
            component: Some(COMPONENT.into()),
            host: Some(name.clone()),
        }),
        reporting_component: Some(COMPONENT.into()),
        reporting_instance: Some(name),
        first_timestamp: Some(Time(now)),
        last_timestamp: Some(Time(now)),
        count: Some(1),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{NodeSpec, NodeStatus};

    fn node(taints: Vec<Taint>, annotations: &[(&str, &str)]) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some("n1".into()),
                resource_version: Some("7".into()),
                annotations: Some(
                    annotations
                        .iter()
                        .map(|(k, v)| ((*k).into(), (*v).into()))
                        .collect(),
                ),
                ..Default::default()
            },
            spec: Some(NodeSpec {
                taints: Some(taints),
                ..Default::default()
            }),
            status: None,
        }
    }

    fn taint(key: &str, effect: &str) -> Taint {
        Taint {
            key: key.into(),
            value: Some("true".into()),
            effect: effect.into(),
            time_added: None,
        }
    }

    #[test]
    fn prefix_validation() {
        assert!(Keys::new("sctp.node-guard.io").is_ok());
        assert!(Keys::new("example.com").is_ok());
        for bad in ["", "Upper.io", "a..b", "-a.io", "a_b.io", "a/b"] {
            assert!(Keys::new(bad).is_err(), "{bad}");
        }
        let k = Keys::new("telco.example.com").unwrap();
        assert_eq!(k.dedicated(), "telco.example.com/userspace-dedicated");
        assert_eq!(k.state(), "telco.example.com/kernel-sctp");
    }

    #[test]
    fn a_taint_someone_else_added_is_not_taken_over() {
        let keys = Keys::default();
        // An admin already tainted the node by hand with our key.
        let n = node(vec![taint(&keys.dedicated(), "NoSchedule")], &[]);
        let p = dedicate_patch(&n, &keys).unwrap();
        assert!(p.get("spec").is_none(), "taint list untouched: {p}");
        assert!(p["metadata"].get("annotations").is_none(), "not owned: {p}");
        assert_eq!(p["metadata"]["resourceVersion"], "7");
    }

    #[test]
    fn corrupt_ownership_annotation_means_owning_nothing() {
        let keys = Keys::default();
        let n = node(
            vec![taint(&keys.state(), "NoExecute")],
            &[("sctp.node-guard.io/owned-taints", "{not json")],
        );
        assert!(owned_taints(&n, &keys).is_empty());
        // Not owned: the NoExecute taint is not removed when sctp goes away.
        let p = state_patch(&n, &keys, SctpState::Blocked, true).unwrap();
        assert!(p.get("spec").is_none(), "{p}");
    }

    #[test]
    fn condition_keeps_transition_time_while_status_holds() {
        let a = Assessment {
            state: SctpState::Blocked,
            kernel_release: None,
            evidence: vec![],
            blocked_for_future: true,
            loaded: None,
            warnings: vec![],
        };
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let t1: Timestamp = "2026-01-01T01:00:00Z".parse().unwrap();
        let mut n = node(vec![], &[]);
        let c0 = condition(&n, &a, t0);
        assert_eq!(
            (c0.status.as_str(), c0.reason.as_deref()),
            ("False", Some("KernelSCTPBlocked"))
        );
        n.status = Some(NodeStatus {
            conditions: Some(vec![c0]),
            ..Default::default()
        });
        let c1 = condition(&n, &a, t1);
        assert_eq!(c1.last_transition_time, Some(Time(t0)));
        assert_eq!(c1.last_heartbeat_time, Some(Time(t1)));
        let loaded = Assessment {
            state: SctpState::Loaded,
            ..a
        };
        let c2 = condition(&n, &loaded, t1);
        assert_eq!(
            (c2.status.as_str(), c2.last_transition_time),
            ("True", Some(Time(t1)))
        );
    }
}
