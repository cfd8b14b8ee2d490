//! Property tests: no input bytes make any stage panic, every record the pipeline builds is
//! valid against the schema file, normalization is idempotent, and the schema is strict.

use archivist::ingest::{Entry, RawDocument};
use archivist::normalize::{join, normalize};
use archivist::pipeline::build;
use proptest::prelude::*;
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(crate::support::repo().join("schema/record.schema.json"))
        .expect("schema file");
    let value: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&value)
        .expect("schema compiles")
}

fn raw(bytes: Vec<u8>) -> RawDocument {
    RawDocument {
        entry: Entry {
            rel: "doc.txt".into(),
            path: "doc.txt".into(),
            display: "raw/doc.txt".into(),
            size: bytes.len() as u64,
        },
        sha256: crate::support::sha256(""),
        bytes,
    }
}

/// Text-like inputs: lines of words from several scripts, with the troublemakers mixed in.
fn texty() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "Xocalı",
        "şəhər",
        "Khojaly",
        "Ходжалы",
        "date 2026-02-26",
        "- 26 fevral, 2026",
        "- 13:54",
        "\u{A0}",
        "\u{200B}",
        "\r\n",
        "\n",
        "\r",
        "\n\n\n",
        " ",
        "\t",
        "e\u{301}",
        "s\u{327}",
        "Şərhini yaz",
        "Искать в архивах",
        ".",
        "ÄŸ",
        "\u{7}",
        "\u{FEFF}",
        "title",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_bytes_make_the_pipeline_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut problems = Vec::new();
        let _ = build(&raw(bytes), "doc", None, &Default::default(), &mut problems);
    }

    #[test]
    fn every_record_built_from_text_validates(text in texty()) {
        let mut problems = Vec::new();
        if let Some((record, normalized)) = build(&raw(text.into_bytes()), "doc", None, &Default::default(), &mut problems) {
            let value = serde_json::to_value(&record).unwrap();
            let errors: Vec<String> = schema().iter_errors(&value).map(|e| e.to_string()).collect();
            prop_assert!(errors.is_empty(), "{errors:?} in {value:#}");
            prop_assert!(normalized.ends_with('\n') && !normalized.ends_with("\n\n"));
        }
    }

    #[test]
    fn normalization_is_idempotent(text in texty()) {
        let once = join(&normalize(&text).lines);
        let again = normalize(&once);
        prop_assert_eq!(join(&again.lines), once);
        prop_assert!(again.steps.is_empty(), "{:?}", again.steps);
    }

    #[test]
    fn normalization_is_idempotent_on_any_string(text in any::<String>()) {
        let once = join(&normalize(&text).lines);
        let again = normalize(&once);
        prop_assert_eq!(join(&again.lines), once);
        prop_assert!(again.steps.is_empty(), "{:?}", again.steps);
    }
}

#[test]
fn schema_rejects_records_missing_any_required_field() {
    let mut problems = Vec::new();
    let (record, _) = build(
        &raw(b"Title\n\nBody.\n".to_vec()),
        "doc",
        None,
        &Default::default(),
        &mut problems,
    )
    .expect("a valid document");
    let value = serde_json::to_value(&record).unwrap();
    let validator = schema();
    assert!(validator.is_valid(&value));
    let required = |schema_part: &Value| -> Vec<String> {
        schema_part["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let schema_value: Value = serde_json::from_str(archivist::validate::RECORD_SCHEMA).unwrap();
    for field in required(&schema_value) {
        let mut broken = value.clone();
        broken.as_object_mut().unwrap().remove(&field);
        assert!(
            !validator.is_valid(&broken),
            "record without `{field}` was accepted"
        );
    }
    for part in ["source", "text"] {
        for field in required(&schema_value["properties"][part]) {
            let mut broken = value.clone();
            broken[part].as_object_mut().unwrap().remove(&field);
            assert!(
                !validator.is_valid(&broken),
                "record without `{part}.{field}` was accepted"
            );
        }
    }
    let mut extra = value.clone();
    extra["surprise"] = Value::Bool(true);
    assert!(
        !validator.is_valid(&extra),
        "unknown fields must be rejected"
    );
    let mut bad_date = value;
    bad_date["date"] = Value::String("2026-02-30".into());
    assert!(!validator.is_valid(&bad_date), "format checks must be on");
}
