//! The Kubernetes API calls: read-modify-write of the Node with its resourceVersion and
//! bounded retry on 409 Conflict, the status condition, and Events.

use k8s_openapi::api::core::v1::{Event, Node};
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde_json::Value;

use super::node::{self, COMPONENT, Keys};
use crate::state::{Assessment, SctpState};

/// How many times a conflicting node update is retried.
pub const MAX_ATTEMPTS: usize = 5;

/// Errors of Kubernetes operations.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    /// No kubeconfig or in-cluster configuration was found.
    #[error("no Kubernetes configuration (kubeconfig or in-cluster): {0}")]
    Config(String),
    /// No node name was given.
    #[error("no node name: pass --node NAME or set NODE_NAME")]
    NoNodeName,
    /// The API server answered with an error.
    #[error("Kubernetes API: {0}")]
    Api(#[from] kube::Error),
    /// The node kept changing under us.
    #[error("node {node} changed concurrently {attempts} times in a row (409 Conflict); giving up")]
    Conflict {
        /// Node name.
        node: String,
        /// Attempts made.
        attempts: usize,
    },
}

/// Builds a client from kubeconfig or the in-cluster service account.
pub async fn infer_client() -> Result<Client, KubeError> {
    let config = kube::Config::infer()
        .await
        .map_err(|e| KubeError::Config(e.to_string()))?;
    Client::try_from(config).map_err(|e| KubeError::Config(e.to_string()))
}

/// node-guard's view of one node in the API server.
#[derive(Clone)]
pub struct NodeClient {
    client: Client,
    nodes: Api<Node>,
    name: String,
    keys: Keys,
}

impl std::fmt::Debug for NodeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeClient")
            .field("name", &self.name)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.is_conflict())
}

impl NodeClient {
    /// A client for node `name`.
    pub fn new(client: Client, name: &str, keys: Keys) -> Self {
        Self {
            nodes: Api::all(client.clone()),
            client,
            name: name.to_owned(),
            keys,
        }
    }

    /// The node name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads the node.
    pub async fn get(&self) -> Result<Node, KubeError> {
        Ok(self.nodes.get(&self.name).await?)
    }

    /// Reads the node, computes a merge patch with `plan` and applies it; on 409 Conflict
    /// reads again and retries, up to [`MAX_ATTEMPTS`] times. Returns the node as written
    /// (or as read, when `plan` had nothing to change) and whether a write happened.
    pub async fn update(
        &self,
        plan: impl Fn(&Node, &Keys) -> Option<Value>,
    ) -> Result<(Node, bool), KubeError> {
        let pp = PatchParams {
            field_manager: Some(COMPONENT.into()),
            ..Default::default()
        };
        for attempt in 1..=MAX_ATTEMPTS {
            let current = self.get().await?;
            let Some(patch) = plan(&current, &self.keys) else {
                return Ok((current, false));
            };
            match self
                .nodes
                .patch(&self.name, &pp, &Patch::Merge(&patch))
                .await
            {
                Ok(n) => return Ok((n, true)),
                Err(e) if is_conflict(&e) => {
                    tracing::info!(node = %self.name, attempt, "node changed concurrently; retrying");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(KubeError::Conflict {
            node: self.name.clone(),
            attempts: MAX_ATTEMPTS,
        })
    }

    /// Adds the isolation label and NoSchedule taint.
    pub async fn dedicate(&self) -> Result<bool, KubeError> {
        Ok(self.update(node::dedicate_patch).await?.1)
    }

    /// Removes the isolation label and node-guard's taints.
    pub async fn undedicate(&self) -> Result<bool, KubeError> {
        Ok(self.update(node::undedicate_patch).await?.1)
    }

    /// Keeps the state label (and the opt-in NoExecute taint) current; returns the node.
    pub async fn set_state(&self, state: SctpState, evict: bool) -> Result<Node, KubeError> {
        Ok(self
            .update(|n, k| node::state_patch(n, k, state, evict))
            .await?
            .0)
    }

    /// Sets the `SCTPKernelModule` condition on the node's status.
    pub async fn set_condition(&self, node_obj: &Node, a: &Assessment) -> Result<(), KubeError> {
        let cond = node::condition(node_obj, a, k8s_openapi::jiff::Timestamp::now());
        let pp = PatchParams {
            field_manager: Some(COMPONENT.into()),
            ..Default::default()
        };
        self.nodes
            .patch_status(
                &self.name,
                &pp,
                &Patch::Strategic(node::condition_patch(&cond)),
            )
            .await?;
        Ok(())
    }

    /// Records an Event about the node.
    pub async fn record_event(
        &self,
        node_obj: &Node,
        previous: Option<SctpState>,
        a: &Assessment,
    ) -> Result<(), KubeError> {
        let ev: Event = node::event(node_obj, previous, a, k8s_openapi::jiff::Timestamp::now());
        let events: Api<Event> = Api::namespaced(self.client.clone(), "default");
        events.create(&PostParams::default(), &ev).await?;
        Ok(())
    }

    /// Brings label, taint, condition and (on change) an Event in line with `a`.
    pub async fn reconcile(
        &self,
        previous: Option<SctpState>,
        a: &Assessment,
        evict: bool,
    ) -> Result<(), KubeError> {
        let n = self.set_state(a.state, evict).await?;
        self.set_condition(&n, a).await?;
        if previous != Some(a.state) {
            self.record_event(&n, previous, a).await?;
        }
        Ok(())
    }
}
