//! iso-tcp (under construction).
