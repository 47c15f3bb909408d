//! cotp (under construction).
