//! Association states of RFC 9260 section 4.

use std::fmt;

/// The state of an association (RFC 9260 section 4, figure 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// No association, or it ended.
    Closed,
    /// INIT sent, waiting for INIT ACK.
    CookieWait,
    /// COOKIE ECHO sent, waiting for COOKIE ACK.
    CookieEchoed,
    /// Data flows both ways.
    Established,
    /// The user asked to shut down; outstanding data is still being acknowledged.
    ShutdownPending,
    /// SHUTDOWN sent, waiting for SHUTDOWN ACK.
    ShutdownSent,
    /// SHUTDOWN received; our outstanding data is still being acknowledged.
    ShutdownReceived,
    /// SHUTDOWN ACK sent, waiting for SHUTDOWN COMPLETE.
    ShutdownAckSent,
}

impl State {
    /// Whether DATA from the peer is accepted in this state.
    pub(crate) fn accepts_data(self) -> bool {
        matches!(
            self,
            Self::Established | Self::ShutdownPending | Self::ShutdownSent
        )
    }

    /// Whether the user may queue new messages in this state.
    pub(crate) fn accepts_user_data(self) -> bool {
        matches!(
            self,
            Self::CookieWait | Self::CookieEchoed | Self::Established
        )
    }

    /// Whether the association is set up (established or shutting down).
    pub(crate) fn is_established_or_later(self) -> bool {
        !matches!(self, Self::Closed | Self::CookieWait | Self::CookieEchoed)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Closed => "CLOSED",
            Self::CookieWait => "COOKIE-WAIT",
            Self::CookieEchoed => "COOKIE-ECHOED",
            Self::Established => "ESTABLISHED",
            Self::ShutdownPending => "SHUTDOWN-PENDING",
            Self::ShutdownSent => "SHUTDOWN-SENT",
            Self::ShutdownReceived => "SHUTDOWN-RECEIVED",
            Self::ShutdownAckSent => "SHUTDOWN-ACK-SENT",
        })
    }
}
