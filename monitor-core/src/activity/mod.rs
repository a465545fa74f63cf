//! Activities: calls, sessions and agent runs with a start, progress and an
//! end.
