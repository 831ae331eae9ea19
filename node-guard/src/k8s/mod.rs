//! Kubernetes integration: pure functions over `Node` objects ([`node`]) and the API calls
//! that apply them ([`api`]).

pub mod api;
pub mod node;

pub use api::{KubeError, NodeClient};
pub use node::{Keys, KeysError, TaintId};
