//! tpkt (under construction).
