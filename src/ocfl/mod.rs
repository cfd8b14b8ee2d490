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
pub mod remote;
pub mod store;
pub mod tree;
pub mod validate;

/// The object conformance declaration this tool writes.
pub const OBJECT_DECLARATION: &str = "ocfl_object_1.1";
/// The storage root conformance declaration this tool writes.
pub const ROOT_DECLARATION: &str = "ocfl_1.1";
/// The inventory `type` of OCFL 1.1.
pub const INVENTORY_TYPE: &str = "https://ocfl.io/1.1/spec/#inventory";

/// Read a file of a storage root or an object (an inventory, a declaration, a sidecar, a layout):
/// it must be a regular file, not a symbolic link, a pipe or a device (which would hang or read
/// without end), and at most `limit` bytes.
pub fn read_file(path: &std::path::Path, limit: u64) -> crate::error::Result<Vec<u8>> {
    use std::io::Read;
    let meta = fs_err::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(crate::error::Error::Refused {
            message: format!(
                "`{}` is not a regular file (a symbolic link, pipe or device): OCFL files are \
                 plain files",
                path.display()
            ),
            hint: None,
        });
    }
    let mut bytes = Vec::new();
    fs_err::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(crate::error::Error::Refused {
            message: format!("`{}` is over the limit of {limit} bytes", path.display()),
            hint: None,
        });
    }
    Ok(bytes)
}

/// Refuse a symbolic link anywhere on the way from `root` to `rel` below it (the parts that
/// exist): a storage root is plain folders, and a link would take writes outside it.
pub fn no_link_below(root: &std::path::Path, rel: &str) -> crate::error::Result<()> {
    let mut at = root.to_path_buf();
    for segment in rel.split('/').filter(|s| !s.is_empty()) {
        at.push(segment);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(crate::error::Error::Refused {
                    message: format!(
                        "`{}` is a symbolic link: a storage root is plain folders, and a link \
                         would take what is written outside it; nothing was deposited",
                        at.display()
                    ),
                    hint: Some("replace the link by the folder it points to".into()),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
