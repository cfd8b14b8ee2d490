//! A zip taken apart and put back together, byte by byte, independently of archivist's own
//! writer: the hostile-archive tests start from a real release, change one thing, and write it
//! out again. Every field is explicit, so a test can make the local header and the central
//! directory disagree, leave gaps, overlap entries, or add records.

use std::io::Write;

/// One entry: what its local header and its central directory record say.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: Vec<u8>,
    pub made_by: u16,
    pub version: u16,
    pub flags: u16,
    pub method: u16,
    pub time: u16,
    pub date: u16,
    pub crc: u32,
    /// The data as stored (compressed).
    pub data: Vec<u8>,
    pub size: u64,
    pub external: u32,
    pub central_extra: Vec<u8>,
    pub local_extra: Vec<u8>,
    pub comment: Vec<u8>,
    /// What the local header says instead, where it disagrees.
    pub local_name: Option<Vec<u8>>,
    pub local_flags: Option<u16>,
    pub local_method: Option<u16>,
    pub local_crc: Option<u32>,
    pub local_sizes: Option<(u32, u32)>,
    /// Bytes written after the data (a data descriptor).
    pub after_data: Vec<u8>,
    /// Bytes written before this entry's local header (a hidden entry, a gap).
    pub before: Vec<u8>,
    /// The central record points here instead of at its local header.
    pub offset: Option<u64>,
    /// Written into the central directory only (no local header, no data).
    pub central_only: bool,
}

impl Entry {
    /// This entry's local header and data, as they would stand in an archive.
    pub fn local_record(&self) -> Vec<u8> {
        let mut zip = Zip {
            entries: vec![self.clone()],
            ..Zip::default()
        }
        .build();
        let name = self.local_name.as_ref().unwrap_or(&self.name);
        zip.truncate(
            30 + name.len() + self.local_extra.len() + self.data.len() + self.after_data.len(),
        );
        zip
    }

    /// A regular file, deflated, as a Unix zip tool makes it.
    pub fn file(name: &str, content: &[u8]) -> Entry {
        let mut deflater =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
        deflater.write_all(content).unwrap();
        Entry {
            name: name.as_bytes().to_vec(),
            made_by: 3 << 8 | 20,
            version: 20,
            flags: if name.is_ascii() { 0 } else { 1 << 11 },
            method: 8,
            time: 0,
            date: (46 << 9) | (1 << 5) | 1,
            crc: crc32fast::hash(content),
            data: deflater.finish().unwrap(),
            size: content.len() as u64,
            external: 0o100_644 << 16,
            central_extra: Vec::new(),
            local_extra: Vec::new(),
            comment: Vec::new(),
            local_name: None,
            local_flags: None,
            local_method: None,
            local_crc: None,
            local_sizes: None,
            after_data: Vec::new(),
            before: Vec::new(),
            offset: None,
            central_only: false,
        }
    }

    /// A directory entry (`name` ends with `/`).
    pub fn dir(name: &str) -> Entry {
        Entry {
            method: 0,
            data: Vec::new(),
            crc: 0,
            size: 0,
            external: 0o040_755 << 16 | 0x10,
            ..Entry::file(name, b"")
        }
    }
}

/// A whole archive.
#[derive(Clone, Debug, Default)]
pub struct Zip {
    pub entries: Vec<Entry>,
    pub comment: Vec<u8>,
    /// Bytes before the first entry.
    pub prefix: Vec<u8>,
    /// Whether offsets count the prefix (a self-extracting archive made right).
    pub prefix_counted: bool,
    /// Bytes after the end record.
    pub suffix: Vec<u8>,
    /// The entry count the end record gives, instead of the real one.
    pub count: Option<u16>,
    /// A zip64 end record and locator, with this entry count.
    pub zip64_count: Option<u64>,
    /// Bytes after the last central record, counted in the central directory's size.
    pub central_padding: Vec<u8>,
}

fn le16(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn le32(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[i..i + 4].try_into().unwrap())
}

impl Zip {
    /// Take apart a plain zip (no zip64, no data descriptors), as archivist's releases are.
    pub fn parse(bytes: &[u8]) -> Zip {
        let eocd = bytes.len() - 22;
        assert_eq!(
            &bytes[eocd..eocd + 4],
            b"PK\x05\x06",
            "a zip without a comment"
        );
        let count = le16(bytes, eocd + 10) as usize;
        let mut at = le32(bytes, eocd + 16) as usize;
        let mut entries = Vec::new();
        for _ in 0..count {
            let h = &bytes[at..];
            assert_eq!(&h[..4], b"PK\x01\x02");
            let (nl, el, cl) = (
                le16(h, 28) as usize,
                le16(h, 30) as usize,
                le16(h, 32) as usize,
            );
            let offset = le32(h, 42) as usize;
            let local = &bytes[offset..];
            let (lnl, lel) = (le16(local, 26) as usize, le16(local, 28) as usize);
            let packed = le32(h, 20) as usize;
            let data_at = offset + 30 + lnl + lel;
            entries.push(Entry {
                name: h[46..46 + nl].to_vec(),
                made_by: le16(h, 4),
                version: le16(h, 6),
                flags: le16(h, 8),
                method: le16(h, 10),
                time: le16(h, 12),
                date: le16(h, 14),
                crc: le32(h, 16),
                data: bytes[data_at..data_at + packed].to_vec(),
                size: u64::from(le32(h, 24)),
                external: le32(h, 38),
                central_extra: h[46 + nl..46 + nl + el].to_vec(),
                local_extra: local[30 + lnl..30 + lnl + lel].to_vec(),
                comment: h[46 + nl + el..46 + nl + el + cl].to_vec(),
                local_name: None,
                local_flags: None,
                local_method: None,
                local_crc: None,
                local_sizes: None,
                after_data: Vec::new(),
                before: Vec::new(),
                offset: None,
                central_only: false,
            });
            at += 46 + nl + el + cl;
        }
        Zip {
            entries,
            ..Zip::default()
        }
    }

    pub fn find(&mut self, suffix: &str) -> &mut Entry {
        self.entries
            .iter_mut()
            .find(|e| e.name.ends_with(suffix.as_bytes()))
            .unwrap_or_else(|| panic!("no entry ending in {suffix}"))
    }

    /// The top folder of the first entry, with its slash.
    pub fn top(&self) -> String {
        let name = String::from_utf8_lossy(&self.entries[0].name).into_owned();
        format!("{}/", name.split('/').next().unwrap())
    }

    pub fn build(&self) -> Vec<u8> {
        let mut out = self.prefix.clone();
        let base = if self.prefix_counted {
            0
        } else {
            self.prefix.len() as u64
        };
        let mut offsets = Vec::new();
        for e in &self.entries {
            if e.central_only {
                offsets.push(0);
                continue;
            }
            out.extend_from_slice(&e.before);
            offsets.push(out.len() as u64 - base);
            let name = e.local_name.as_ref().unwrap_or(&e.name);
            let (packed, size) = e
                .local_sizes
                .unwrap_or((e.data.len() as u32, e.size as u32));
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&e.version.to_le_bytes());
            out.extend_from_slice(&e.local_flags.unwrap_or(e.flags).to_le_bytes());
            out.extend_from_slice(&e.local_method.unwrap_or(e.method).to_le_bytes());
            out.extend_from_slice(&e.time.to_le_bytes());
            out.extend_from_slice(&e.date.to_le_bytes());
            out.extend_from_slice(&e.local_crc.unwrap_or(e.crc).to_le_bytes());
            out.extend_from_slice(&packed.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&(e.local_extra.len() as u16).to_le_bytes());
            out.extend_from_slice(name);
            out.extend_from_slice(&e.local_extra);
            out.extend_from_slice(&e.data);
            out.extend_from_slice(&e.after_data);
        }
        let cd = out.len() as u64 - base;
        for (e, offset) in self.entries.iter().zip(&offsets) {
            out.extend_from_slice(b"PK\x01\x02");
            out.extend_from_slice(&e.made_by.to_le_bytes());
            out.extend_from_slice(&e.version.to_le_bytes());
            out.extend_from_slice(&e.flags.to_le_bytes());
            out.extend_from_slice(&e.method.to_le_bytes());
            out.extend_from_slice(&e.time.to_le_bytes());
            out.extend_from_slice(&e.date.to_le_bytes());
            out.extend_from_slice(&e.crc.to_le_bytes());
            out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(e.size as u32).to_le_bytes());
            out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&(e.central_extra.len() as u16).to_le_bytes());
            out.extend_from_slice(&(e.comment.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // disk
            out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
            out.extend_from_slice(&e.external.to_le_bytes());
            out.extend_from_slice(&(e.offset.unwrap_or(*offset) as u32).to_le_bytes());
            out.extend_from_slice(&e.name);
            out.extend_from_slice(&e.central_extra);
            out.extend_from_slice(&e.comment);
        }
        out.extend_from_slice(&self.central_padding);
        let cd_size = out.len() as u64 - base - cd;
        let count = self.entries.len() as u64;
        if let Some(zip64_count) = self.zip64_count {
            let record = out.len() as u64 - base;
            out.extend_from_slice(b"PK\x06\x06");
            out.extend_from_slice(&44u64.to_le_bytes());
            out.extend_from_slice(&(3u16 << 8 | 45).to_le_bytes());
            out.extend_from_slice(&45u16.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&zip64_count.to_le_bytes());
            out.extend_from_slice(&zip64_count.to_le_bytes());
            out.extend_from_slice(&cd_size.to_le_bytes());
            out.extend_from_slice(&cd.to_le_bytes());
            out.extend_from_slice(b"PK\x06\x07");
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&record.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
        }
        let shown = self.count.unwrap_or(count as u16);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&shown.to_le_bytes());
        out.extend_from_slice(&shown.to_le_bytes());
        out.extend_from_slice(&(cd_size as u32).to_le_bytes());
        out.extend_from_slice(&(cd as u32).to_le_bytes());
        out.extend_from_slice(&(self.comment.len() as u16).to_le_bytes());
        out.extend_from_slice(&self.comment);
        out.extend_from_slice(&self.suffix);
        out
    }
}

/// A data descriptor with its signature (32-bit sizes).
pub fn descriptor(crc: u32, packed: u32, size: u32) -> Vec<u8> {
    let mut d = b"PK\x07\x08".to_vec();
    d.extend_from_slice(&crc.to_le_bytes());
    d.extend_from_slice(&packed.to_le_bytes());
    d.extend_from_slice(&size.to_le_bytes());
    d
}

/// An extra field.
pub fn extra(id: u16, body: &[u8]) -> Vec<u8> {
    let mut out = id.to_le_bytes().to_vec();
    out.extend_from_slice(&(body.len() as u16).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// The Info-ZIP Unicode Path extra field (0x7075) for a header name, giving `unicode`.
pub fn unicode_path(header_name: &[u8], unicode: &str) -> Vec<u8> {
    let mut body = vec![1u8];
    body.extend_from_slice(&crc32fast::hash(header_name).to_le_bytes());
    body.extend_from_slice(unicode.as_bytes());
    extra(0x7075, &body)
}
