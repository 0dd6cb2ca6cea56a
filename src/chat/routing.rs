//! Every change of a chat's state, each in one transaction (lane: core).
