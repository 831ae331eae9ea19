//! Stream reconfiguration (RFC 6525): resetting outgoing and incoming
//! streams, resetting the whole association's TSNs and SSNs, and adding
//! streams, in RE-CONFIG chunks.
//!
//! Our requests go one at a time (RFC 6525 section 5.1.1), numbered from
//! our Initial TSN, and are resent by the reconfiguration timer until
//! answered. The peer's requests are answered by sequence number (section
//! 5.2.1): the next one is performed, a retransmission of the last gets
//! the same answer again and is never applied twice, any other number is
//! an error. A stream being reset carries no new message until the reset
//! is acknowledged, so no message can straddle the reset.

use std::collections::VecDeque;
use std::time::Instant;

use thiserror::Error;

use super::{Association, Event, ReconfigOutcome, State, Timer};
use crate::wire::chunk::ReConfig;
use crate::wire::param::{
    AddIncomingStreamsRequest, AddOutgoingStreamsRequest, IncomingSsnResetRequest,
    OutgoingSsnResetRequest, Param, ReconfigResponse, ReconfigResult, SsnTsnResetRequest,
};
use crate::wire::{Chunk, List};
use crate::{StreamId, Tsn};

/// Why a stream reconfiguration request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ReconfigError {
    /// The peer did not offer RE-CONFIG (RFC 6525), or we did not.
    #[error("the peer does not support stream reconfiguration (RE-CONFIG, RFC 6525)")]
    NotNegotiated,
    /// Only an established association reconfigures its streams.
    #[error("the association is not established")]
    NotEstablished,
    /// The stream does not exist in that direction.
    #[error("stream {stream_id} does not exist: there are {streams} in that direction")]
    InvalidStream {
        /// The stream asked for.
        stream_id: StreamId,
        /// Streams in that direction.
        streams: u16,
    },
    /// More than 65,535 streams would result.
    #[error("adding {requested} streams to {current} would exceed 65535")]
    TooManyStreams {
        /// Streams now.
        current: u16,
        /// Streams asked for.
        requested: u16,
    },
}

/// One request of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Request {
    /// Reset our outgoing streams (section 5.1.2); `answers` is the
    /// peer's Incoming SSN Reset Request this answers (section 5.2.3).
    ResetOutgoing {
        streams: Vec<StreamId>,
        answers: Option<u32>,
    },
    /// Ask the peer to reset its outgoing streams (section 5.1.3).
    ResetIncoming(Vec<StreamId>),
    /// Reset both TSN spaces and every stream (section 5.1.4).
    ResetAssociation,
    /// Add outgoing streams (section 5.1.5).
    AddOutgoing(u16),
    /// Ask the peer to add its outgoing streams (section 5.1.6).
    AddIncoming(u16),
}

/// Our request in flight, resent as it is by the reconfiguration timer.
#[derive(Debug)]
struct InFlight {
    seq: u32,
    request: Request,
    chunk: Vec<u8>,
    /// The peer answered In progress: resend without counting an error.
    in_progress: bool,
}

/// What the peer's latest request got, for a retransmission of it.
#[derive(Debug, Clone, Copy)]
struct Answer {
    seq: u32,
    result: ReconfigResult,
    /// Sender's and Receiver's Next TSN of an association reset.
    tsns: Option<(Tsn, Tsn)>,
    /// Re-examined when retransmitted while In progress (an association reset).
    retry_association_reset: bool,
}

/// The state of RFC 6525 on one association.
#[derive(Debug)]
pub(super) struct StreamReconfig {
    /// Our next request's sequence number (from our Initial TSN, section 5.1.1).
    next_seq: u32,
    /// The peer's next request's sequence number.
    peer_next_seq: u32,
    last_answer: Option<Answer>,
    in_flight: Option<InFlight>,
    queue: VecDeque<Request>,
    /// The peer's outgoing reset waiting for the data sent before it
    /// (section 5.2.2, In progress): its sequence number, its Sender's
    /// Last Assigned TSN and the streams.
    deferred: Option<(u32, Tsn, Vec<StreamId>)>,
    /// Association resets performed (each starts new TSN spaces).
    association_resets: u32,
}

impl StreamReconfig {
    /// Sequence numbers start at each side's Initial TSN (section 5.1.1).
    pub(super) fn new(local_initial_tsn: Tsn, peer_initial_tsn: Tsn) -> Self {
        Self {
            next_seq: local_initial_tsn.0,
            peer_next_seq: peer_initial_tsn.0,
            last_answer: None,
            in_flight: None,
            queue: VecDeque::new(),
            deferred: None,
            association_resets: 0,
        }
    }
}

#[cfg(feature = "fuzzing")]
impl StreamReconfig {
    /// Association resets performed.
    pub(super) fn fuzz_resets(&self) -> u32 {
        self.association_resets
    }

    /// The peer's next request number and ours in flight (else our next).
    pub(super) fn fuzz_seqs(&self) -> (u32, u32) {
        let ours = self.in_flight.as_ref().map_or(self.next_seq, |f| f.seq);
        (self.peer_next_seq, ours)
    }
}

/// A response parameter.
fn response(seq: u32, result: ReconfigResult, tsns: Option<(Tsn, Tsn)>) -> Param<'static> {
    Param::ReconfigResponse(ReconfigResponse {
        response_seq: seq,
        result,
        senders_next_tsn: tsns.map(|t| t.0),
        receivers_next_tsn: tsns.map(|t| t.1),
    })
}

impl Association {
    /// Resets our outgoing `streams` (all when empty; RFC 6525 section
    /// 5.1.2, RFC 6458 SCTP_RESET_STREAMS): once the peer has everything
    /// sent on them so far, the next message on each carries SSN 0 again.
    /// New messages on them wait until the reset is acknowledged;
    /// [`Event::StreamReset`] tells the outcome.
    pub fn reset_streams(&mut self, streams: &[StreamId]) -> Result<(), ReconfigError> {
        self.check_reconfig()?;
        check_streams(streams, self.outbound_streams)?;
        let streams = dedup(streams);
        self.send_queue.pause(&streams);
        self.stream_reconfig
            .queue
            .push_back(Request::ResetOutgoing {
                streams,
                answers: None,
            });
        Ok(())
    }

    /// Asks the peer to reset its outgoing streams, the ones we receive on
    /// (all when empty; RFC 6525 section 5.1.3).
    pub fn request_incoming_reset(&mut self, streams: &[StreamId]) -> Result<(), ReconfigError> {
        self.check_reconfig()?;
        check_streams(streams, self.inbound_streams)?;
        self.stream_reconfig
            .queue
            .push_back(Request::ResetIncoming(dedup(streams)));
        Ok(())
    }

    /// Resets the association (RFC 6525 section 5.1.4, SCTP_RESET_ASSOC):
    /// new TSNs both ways and every stream back to SSN 0. New data waits
    /// until the peer answers; [`Event::AssociationReset`] tells the outcome.
    pub fn reset_association(&mut self) -> Result<(), ReconfigError> {
        self.check_reconfig()?;
        self.send_queue.pause(&[]);
        self.stream_reconfig
            .queue
            .push_back(Request::ResetAssociation);
        Ok(())
    }

    /// Adds `outgoing` streams we send on and asks the peer to add
    /// `incoming` ones it sends on (RFC 6525 sections 5.1.5 and 5.1.6,
    /// SCTP_ADD_STREAMS); [`Event::StreamChange`] tells the outcome.
    pub fn add_streams(&mut self, outgoing: u16, incoming: u16) -> Result<(), ReconfigError> {
        self.check_reconfig()?;
        for (current, requested) in [
            (self.outbound_streams, outgoing),
            (self.inbound_streams, incoming),
        ] {
            if current.checked_add(requested).is_none() {
                return Err(ReconfigError::TooManyStreams { current, requested });
            }
        }
        let q = &mut self.stream_reconfig.queue;
        if outgoing > 0 {
            q.push_back(Request::AddOutgoing(outgoing));
        }
        if incoming > 0 {
            q.push_back(Request::AddIncoming(incoming));
        }
        Ok(())
    }

    /// Whether stream reconfiguration (RFC 6525) is in use.
    pub fn supports_reconfig(&self) -> bool {
        self.negotiated.reconfig
    }

    fn check_reconfig(&self) -> Result<(), ReconfigError> {
        if !self.negotiated.reconfig {
            return Err(ReconfigError::NotNegotiated);
        }
        if self.state != State::Established {
            return Err(ReconfigError::NotEstablished);
        }
        Ok(())
    }

    /// Sends our next request if none is in flight and it may go now: an
    /// outgoing reset once no message on its streams is half sent, an
    /// association reset once nothing is outstanding.
    #[inline]
    pub(super) fn start_reconfig(&mut self, now: Instant) {
        let sr = &self.stream_reconfig;
        if sr.queue.is_empty() || sr.in_flight.is_some() || self.state != State::Established {
            return;
        }
        self.start_reconfig_now(now);
    }

    #[cold]
    fn start_reconfig_now(&mut self, now: Instant) {
        let sr = &self.stream_reconfig;
        let ready = match sr.queue.front() {
            None => return,
            Some(Request::ResetOutgoing { streams, .. }) => !self.send_queue.busy_on(streams),
            Some(Request::ResetAssociation) => self.rtx.is_empty() && !self.send_queue.busy_on(&[]),
            Some(_) => true,
        };
        if !ready {
            return;
        }
        let Some(request) = self.stream_reconfig.queue.pop_front() else {
            return;
        };
        let seq = self.stream_reconfig.next_seq;
        self.stream_reconfig.next_seq = seq.wrapping_add(1);
        let param = match &request {
            Request::ResetOutgoing { streams, answers } => {
                Param::OutgoingSsnResetRequest(OutgoingSsnResetRequest {
                    request_seq: seq,
                    response_seq: answers
                        .unwrap_or(self.stream_reconfig.peer_next_seq.wrapping_sub(1)),
                    senders_last_tsn: self.rtx.next_tsn().prev(),
                    streams: List::Items(streams),
                })
            }
            Request::ResetIncoming(streams) => {
                Param::IncomingSsnResetRequest(IncomingSsnResetRequest {
                    request_seq: seq,
                    streams: List::Items(streams),
                })
            }
            Request::ResetAssociation => {
                Param::SsnTsnResetRequest(SsnTsnResetRequest { request_seq: seq })
            }
            Request::AddOutgoing(n) => {
                Param::AddOutgoingStreamsRequest(AddOutgoingStreamsRequest {
                    request_seq: seq,
                    new_streams: *n,
                })
            }
            Request::AddIncoming(n) => {
                Param::AddIncomingStreamsRequest(AddIncomingStreamsRequest {
                    request_seq: seq,
                    new_streams: *n,
                })
            }
        };
        let chunk = crate::handshake::encode_chunk(&Chunk::ReConfig(ReConfig {
            params: vec![param],
        }));
        self.control.push_back(chunk.clone());
        self.stream_reconfig.in_flight = Some(InFlight {
            seq,
            request,
            chunk,
            in_progress: false,
        });
        self.timers.set(Timer::Reconfig, now + self.dp().rto.rto());
    }

    /// The reconfiguration timer (section 5.1.1): the request goes again,
    /// with the RTO backed off and an error counted, unless the peer said
    /// it is in progress.
    pub(super) fn on_reconfig_timer(&mut self, now: Instant) {
        let Some(f) = &mut self.stream_reconfig.in_flight else {
            return;
        };
        let chunk = f.chunk.clone();
        if !std::mem::take(&mut f.in_progress) {
            let path = self.data_path;
            self.count_path_error(path);
            if self.count_error() {
                return;
            }
            self.paths[path].rto.back_off();
        }
        self.control.push_back(chunk);
        self.timers.set(Timer::Reconfig, now + self.dp().rto.rto());
    }

    /// A RE-CONFIG chunk (section 5.2): responses to our request, and the
    /// peer's requests, answered in one RE-CONFIG chunk.
    pub(super) fn on_reconfig(&mut self, chunk: &ReConfig<'_>) {
        if !matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        ) {
            return;
        }
        let mut answers: Vec<Param<'static>> = Vec::new();
        for p in &chunk.params {
            match p {
                Param::ReconfigResponse(r) => self.on_reconfig_response(r),
                Param::OutgoingSsnResetRequest(r) => {
                    // Section 5.2.3: it may answer our incoming reset request.
                    if self.stream_reconfig.in_flight.as_ref().is_some_and(|f| {
                        f.seq == r.response_seq && matches!(f.request, Request::ResetIncoming(_))
                    }) {
                        self.stream_reconfig.in_flight = None;
                        self.timers.stop(Timer::Reconfig);
                    }
                    let streams: Vec<StreamId> = r.streams.iter().collect();
                    answers.extend(self.answer_request(r.request_seq, |a, seq| {
                        a.peer_resets_outgoing(seq, r.senders_last_tsn, streams)
                    }));
                }
                Param::IncomingSsnResetRequest(r) => {
                    let streams: Vec<StreamId> = r.streams.iter().collect();
                    answers.extend(self.answer_request(r.request_seq, |a, seq| {
                        a.peer_asks_outgoing_reset(seq, streams)
                    }));
                }
                Param::SsnTsnResetRequest(r) => {
                    answers.extend(
                        self.answer_request(r.request_seq, |a, _| a.peer_resets_association()),
                    );
                }
                Param::AddOutgoingStreamsRequest(r) => {
                    let n = r.new_streams;
                    answers
                        .extend(self.answer_request(r.request_seq, |a, _| a.peer_adds_outgoing(n)));
                }
                Param::AddIncomingStreamsRequest(r) => {
                    let n = r.new_streams;
                    answers
                        .extend(self.answer_request(r.request_seq, |a, _| a.peer_adds_incoming(n)));
                }
                _ => {}
            }
        }
        if !answers.is_empty() {
            let chunk = Chunk::ReConfig(ReConfig { params: answers });
            self.control
                .push_back(crate::handshake::encode_chunk(&chunk));
        }
    }

    /// Section 5.2.1: performs the peer's next request once, answers a
    /// retransmission of it as before, and any other number with an error.
    /// `perform` returns the answer, or `None` when our own request will
    /// answer (section 5.2.3).
    fn answer_request(
        &mut self,
        seq: u32,
        perform: impl FnOnce(&mut Self, u32) -> Option<Answer>,
    ) -> Option<Param<'static>> {
        let expected = self.stream_reconfig.peer_next_seq;
        if seq == expected {
            self.stream_reconfig.peer_next_seq = expected.wrapping_add(1);
            let answer = perform(self, seq).map(|a| Answer { seq, ..a });
            self.stream_reconfig.last_answer = answer.or(Some(Answer {
                seq,
                result: ReconfigResult::InProgress,
                tsns: None,
                retry_association_reset: false,
            }));
            return answer.map(|a| response(seq, a.result, a.tsns));
        }
        if seq == expected.wrapping_sub(1)
            && let Some(mut last) = self.stream_reconfig.last_answer
            && last.seq == seq
        {
            if last.retry_association_reset
                && last.result == ReconfigResult::InProgress
                && let Some(again) = self.peer_resets_association()
            {
                last = Answer { seq, ..again };
                self.stream_reconfig.last_answer = Some(last);
            }
            return Some(response(seq, last.result, last.tsns));
        }
        Some(response(seq, ReconfigResult::ErrorBadSequenceNumber, None))
    }

    /// The peer resets its outgoing streams (section 5.2.2): at once if
    /// everything it sent before has arrived, else once it has.
    fn peer_resets_outgoing(
        &mut self,
        seq: u32,
        last_tsn: Tsn,
        streams: Vec<StreamId>,
    ) -> Option<Answer> {
        let answer = |result| {
            Some(Answer {
                seq,
                result,
                tsns: None,
                retry_association_reset: false,
            })
        };
        if !self.config.accept_stream_resets
            || check_streams(&streams, self.inbound_streams).is_err()
        {
            return answer(ReconfigResult::Denied);
        }
        if self.stream_reconfig.deferred.is_some() {
            return answer(ReconfigResult::ErrorRequestAlreadyInProgress);
        }
        if last_tsn.is_after(self.tracker.cumulative_tsn()) {
            self.stream_reconfig.deferred = Some((seq, last_tsn, streams));
            return answer(ReconfigResult::InProgress);
        }
        self.reset_incoming(streams);
        answer(ReconfigResult::SuccessPerformed)
    }

    /// Performs a deferred incoming reset once the data sent before it has
    /// arrived (section 5.2.2); a retransmitted request then hears Success.
    pub(super) fn maybe_perform_deferred_reset(&mut self) {
        let Some((seq, last_tsn, _)) = &self.stream_reconfig.deferred else {
            return;
        };
        if last_tsn.is_after(self.tracker.cumulative_tsn()) {
            return;
        }
        let seq = *seq;
        let Some((_, _, streams)) = self.stream_reconfig.deferred.take() else {
            return;
        };
        self.reset_incoming(streams);
        if let Some(a) = &mut self.stream_reconfig.last_answer
            && a.seq == seq
        {
            a.result = ReconfigResult::SuccessPerformed;
        }
    }

    fn reset_incoming(&mut self, streams: Vec<StreamId>) {
        self.reassembly.reset_streams(&streams);
        self.interleaved.reset_streams(&streams);
        // A message cut off in pieces by the reset is reported first.
        self.push_delivered(&mut Default::default());
        self.push_interleaved(&mut Default::default());
        self.events.push_back(Event::StreamReset {
            incoming: true,
            streams,
            outcome: ReconfigOutcome::Performed,
        });
    }

    /// The peer asks us to reset our outgoing streams (section 5.2.3): our
    /// Outgoing SSN Reset Request answers it.
    fn peer_asks_outgoing_reset(&mut self, seq: u32, streams: Vec<StreamId>) -> Option<Answer> {
        if !self.config.accept_stream_resets
            || check_streams(&streams, self.outbound_streams).is_err()
        {
            return Some(Answer {
                seq,
                result: ReconfigResult::Denied,
                tsns: None,
                retry_association_reset: false,
            });
        }
        let streams = dedup(&streams);
        self.send_queue.pause(&streams);
        self.stream_reconfig
            .queue
            .push_back(Request::ResetOutgoing {
                streams,
                answers: Some(seq),
            });
        None
    }

    /// The peer resets the association (section 5.2.4): done when nothing
    /// of ours is outstanding, else In progress (its retransmission asks again).
    fn peer_resets_association(&mut self) -> Option<Answer> {
        let mut answer = Answer {
            seq: 0,
            result: ReconfigResult::InProgress,
            tsns: None,
            retry_association_reset: true,
        };
        if !self.config.accept_association_resets {
            answer.result = ReconfigResult::Denied;
            answer.retry_association_reset = false;
            return Some(answer);
        }
        if self.rtx.is_empty() && !self.send_queue.busy_on(&[]) {
            // Section 5.2.4: both next TSNs move half the TSN space on, so
            // nothing still in the network can be mistaken for new data.
            let send = self.rtx.next_tsn().add(1 << 31);
            let receive = self.tracker.highest_received().next().add(1 << 31);
            self.apply_association_reset(send, receive);
            answer.result = ReconfigResult::SuccessPerformed;
            answer.tsns = Some((send, receive));
        }
        Some(answer)
    }

    /// New TSNs both ways and every stream at SSN 0.
    fn apply_association_reset(&mut self, send: Tsn, receive: Tsn) {
        self.stream_reconfig.association_resets += 1;
        self.rtx = super::retransmit::RetransmitQueue::new(send);
        self.tracker = super::tsn_tracker::TsnTracker::new(receive);
        self.restart_reassembly(receive);
        self.send_queue.reset_ssns(&[]);
        self.events.push_back(Event::AssociationReset {
            local_tsn: send,
            remote_tsn: receive,
            outcome: ReconfigOutcome::Performed,
        });
    }

    /// The peer adds streams it sends on (section 5.2.5).
    fn peer_adds_outgoing(&mut self, n: u16) -> Option<Answer> {
        let result = match self.inbound_streams.checked_add(n) {
            Some(_) if !self.config.accept_stream_changes => ReconfigResult::Denied,
            Some(total) => {
                self.inbound_streams = total;
                self.stream_change(ReconfigOutcome::Performed);
                ReconfigResult::SuccessPerformed
            }
            None => ReconfigResult::Denied,
        };
        Some(Answer {
            seq: 0,
            result,
            tsns: None,
            retry_association_reset: false,
        })
    }

    /// The peer asks for streams we send on (section 5.2.6): granted, and
    /// our Add Outgoing Streams Request follows.
    fn peer_adds_incoming(&mut self, n: u16) -> Option<Answer> {
        let result = if self.config.accept_stream_changes
            && self.outbound_streams.checked_add(n).is_some()
        {
            self.stream_reconfig
                .queue
                .push_back(Request::AddOutgoing(n));
            ReconfigResult::SuccessPerformed
        } else {
            ReconfigResult::Denied
        };
        Some(Answer {
            seq: 0,
            result,
            tsns: None,
            retry_association_reset: false,
        })
    }

    fn stream_change(&mut self, outcome: ReconfigOutcome) {
        self.events.push_back(Event::StreamChange {
            inbound: self.inbound_streams,
            outbound: self.outbound_streams,
            outcome,
        });
    }

    /// The peer's answer to our request in flight (section 5.2.7).
    fn on_reconfig_response(&mut self, r: &ReconfigResponse) {
        let Some(f) = &mut self.stream_reconfig.in_flight else {
            return;
        };
        if f.seq != r.response_seq {
            return;
        }
        let outcome = match r.result {
            ReconfigResult::InProgress => {
                // Asked again when the timer fires, without an error counted.
                f.in_progress = true;
                return;
            }
            res if res.is_success() => ReconfigOutcome::Performed,
            ReconfigResult::Denied => ReconfigOutcome::Denied,
            _ => ReconfigOutcome::Failed,
        };
        let Some(f) = self.stream_reconfig.in_flight.take() else {
            return;
        };
        self.timers.stop(Timer::Reconfig);
        let performed = outcome == ReconfigOutcome::Performed;
        match f.request {
            Request::ResetOutgoing { streams, .. } => {
                if performed {
                    self.send_queue.reset_ssns(&streams);
                }
                self.send_queue.resume(&streams);
                self.events.push_back(Event::StreamReset {
                    incoming: false,
                    streams,
                    outcome,
                });
            }
            // Done, the peer's own Outgoing SSN Reset Request performs it.
            Request::ResetIncoming(_) if performed => {}
            Request::ResetIncoming(streams) => self.events.push_back(Event::StreamReset {
                incoming: true,
                streams,
                outcome,
            }),
            Request::ResetAssociation => {
                match (performed, r.senders_next_tsn, r.receivers_next_tsn) {
                    // Its next TSN is the one we expect; the one it expects we send.
                    (true, Some(theirs), Some(ours)) => {
                        self.apply_association_reset(Tsn(ours.0), Tsn(theirs.0));
                    }
                    _ => self.events.push_back(Event::AssociationReset {
                        local_tsn: self.rtx.next_tsn(),
                        remote_tsn: self.tracker.cumulative_tsn().next(),
                        outcome: if performed {
                            ReconfigOutcome::Failed
                        } else {
                            outcome
                        },
                    }),
                }
                self.send_queue.resume(&[]);
            }
            Request::AddOutgoing(n) => {
                if performed {
                    self.outbound_streams = self.outbound_streams.saturating_add(n);
                }
                self.stream_change(outcome);
            }
            // The peer's Add Outgoing Streams Request brings the streams.
            Request::AddIncoming(_) if performed => {}
            Request::AddIncoming(_) => self.stream_change(outcome),
        }
    }
}

/// Every stream must exist (`streams` of them); an empty list means all.
fn check_streams(list: &[StreamId], streams: u16) -> Result<(), ReconfigError> {
    match list.iter().find(|&&s| s >= streams) {
        Some(&stream_id) => Err(ReconfigError::InvalidStream { stream_id, streams }),
        None => Ok(()),
    }
}

/// Sorted, each stream once.
fn dedup(streams: &[StreamId]) -> Vec<StreamId> {
    let mut v = streams.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
