//! OCFL 1.1 (the Oxford Common File Layout): objects and storage roots on disk.
//!
//! [`validate`] audits objects and storage roots against the specification, reporting problems
//! with the specification's own validation codes (`E001`...`E112`, `W001`...`W016`). [`store`]
//! writes: new storage roots (`0004-hashed-n-tuple-storage-layout`), and new versions of objects,
//! archivist's or other tools', built outside the object and swapped in atomically. [`layout`]
//! maps ids to object folders as a root's layout extension says. [`read`] lists what a root
//! holds (`archivist log`) and gets a deposited release back out (`archivist retrieve`).

pub mod layout;
pub mod read;
pub mod store;
pub mod validate;

/// The object conformance declaration this tool writes.
pub const OBJECT_DECLARATION: &str = "ocfl_object_1.1";
/// The storage root conformance declaration this tool writes.
pub const ROOT_DECLARATION: &str = "ocfl_1.1";
/// The inventory `type` of OCFL 1.1.
pub const INVENTORY_TYPE: &str = "https://ocfl.io/1.1/spec/#inventory";
