//! Errors: what failed, how bad it is, grouped, kept in a bounded log that
//! can be queried, resolved and acknowledged.
