//! s7-mock (under construction).
