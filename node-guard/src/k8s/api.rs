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
    /// The API server answered with an error or could not be reached.
    #[error("{server}: cannot {action} node {node}: {detail}")]
    Api {
        /// The API server's URL.
        server: String,
        /// Node name.
        node: String,
        /// What node-guard was doing ("read", "patch", ...).
        action: &'static str,
        /// The server's answer (`403 Forbidden: ...`) or why it could not be reached.
        detail: String,
    },
    /// The node kept changing under us.
    #[error("node {node} changed concurrently {attempts} times in a row (409 Conflict); giving up")]
    Conflict {
        /// Node name.
        node: String,
        /// Attempts made.
        attempts: usize,
    },
}

/// One line for a kube error: `403 Forbidden: message` for API answers, the cause chain
/// (without debug structs) for transport errors.
pub fn describe(e: &kube::Error) -> String {
    if let kube::Error::Api(s) = e {
        return format!("{} {}: {}", s.code, s.reason, s.message);
    }
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Where to find the API server: a kubeconfig file and context, or the defaults
/// (`$KUBECONFIG`, `~/.kube/config`, then the in-cluster service account).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// A kubeconfig file to use instead of the defaults.
    pub kubeconfig: Option<std::path::PathBuf>,
    /// The kubeconfig context to use instead of the current one.
    pub context: Option<String>,
}

/// Builds a client; returns it with the API server's URL (for messages).
pub async fn client(opts: &ClientOptions) -> Result<(Client, String), KubeError> {
    let kc_opts = kube::config::KubeConfigOptions {
        context: opts.context.clone(),
        ..Default::default()
    };
    let config = match (&opts.kubeconfig, &opts.context) {
        (Some(path), _) => {
            let kc = kube::config::Kubeconfig::read_from(path).map_err(|e| {
                KubeError::Config(format!("cannot read kubeconfig {}: {e}", path.display()))
            })?;
            kube::Config::from_custom_kubeconfig(kc, &kc_opts)
                .await
                .map_err(|e| KubeError::Config(format!("{}: {e}", path.display())))?
        }
        (None, Some(ctx)) => kube::Config::from_kubeconfig(&kc_opts)
            .await
            .map_err(|e| KubeError::Config(format!("context {ctx}: {e}")))?,
        (None, None) => kube::Config::infer()
            .await
            .map_err(|e| KubeError::Config(e.to_string()))?,
    };
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config).map_err(|e| KubeError::Config(describe(&e)))?;
    Ok((client, server.trim_end_matches('/').to_owned()))
}

/// Builds a client from kubeconfig or the in-cluster service account.
pub async fn infer_client() -> Result<Client, KubeError> {
    Ok(client(&ClientOptions::default()).await?.0)
}

/// node-guard's view of one node in the API server.
#[derive(Clone)]
pub struct NodeClient {
    client: Client,
    nodes: Api<Node>,
    name: String,
    keys: Keys,
    server: String,
}

impl std::fmt::Debug for NodeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeClient")
            .field("name", &self.name)
            .field("server", &self.server)
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
            server: "the API server".into(),
        }
    }

    /// Names the API server in error messages (its URL).
    pub fn with_server(mut self, server: &str) -> Self {
        self.server = server.to_owned();
        self
    }

    /// The API server named in error messages.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn api_error(&self, action: &'static str) -> impl Fn(kube::Error) -> KubeError + '_ {
        move |e| KubeError::Api {
            server: self.server.clone(),
            node: self.name.clone(),
            action,
            detail: describe(&e),
        }
    }

    /// The node name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The label, taint and annotation keys.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Reads the node.
    pub async fn get(&self) -> Result<Node, KubeError> {
        self.nodes
            .get(&self.name)
            .await
            .map_err(self.api_error("read"))
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
                Err(e) => return Err(self.api_error("patch")(e)),
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
            .await
            .map_err(self.api_error("patch the status of"))?;
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
        events
            .create(&PostParams::default(), &ev)
            .await
            .map_err(self.api_error("record an Event for"))?;
        Ok(())
    }

    /// Brings label, taint, condition and (on change) an Event in line with `a`; returns
    /// the node as written. Without a `previous` state (after a restart) the state label
    /// the node already carries is the previous one, so the Event says what changed.
    pub async fn reconcile(
        &self,
        previous: Option<SctpState>,
        a: &Assessment,
        evict: bool,
    ) -> Result<Node, KubeError> {
        let labelled = std::sync::Mutex::new(None);
        let (n, _) = self
            .update(|n, k| {
                if let Ok(mut l) = labelled.lock()
                    && l.is_none()
                {
                    *l = Some(node::reported_state(n, k));
                }
                node::state_patch(n, k, a.state, evict)
            })
            .await?;
        let previous = previous.or_else(|| labelled.into_inner().ok().flatten().flatten());
        self.set_condition(&n, a).await?;
        if previous != Some(a.state) {
            self.record_event(&n, previous, a).await?;
        }
        Ok(n)
    }
}
