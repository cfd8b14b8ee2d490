//! Writing OCFL: placeholder replaced below.
