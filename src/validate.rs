//! JSON Schema validation: the record schema and the dataset schema, compiled once.
//!
//! The schemas in `schema/` are embedded in the binary so a release always carries exactly the
//! schema its records were validated against. Format checks (`date`, `uri`) are on. Every
//! violation is collected, each with the JSON location it is at.

use crate::problem::Problem;
use serde_json::Value;

/// The record schema, as written into every release (`data/schema/record.schema.json`).
pub const RECORD_SCHEMA: &str = include_str!("../schema/record.schema.json");
/// The schema `dataset.toml` is validated against.
pub const DATASET_SCHEMA: &str = include_str!("../schema/dataset.schema.json");

/// The compiled schemas.
pub struct SchemaSet {
    record: jsonschema::Validator,
    dataset: jsonschema::Validator,
}

impl SchemaSet {
    /// Compile the embedded schemas. They are part of the program: failing here is a bug.
    pub fn new() -> SchemaSet {
        SchemaSet {
            record: compile(RECORD_SCHEMA).expect("the embedded record schema compiles"),
            dataset: compile(DATASET_SCHEMA).expect("the embedded dataset schema compiles"),
        }
    }

    /// Every way `record` violates the record schema, as errors about `path`.
    pub fn record_problems(&self, record: &Value, path: &str) -> Vec<Problem> {
        self.record
            .iter_errors(record)
            .map(|e| {
                Problem::error(
                    path,
                    "record-invalid",
                    format!(
                        "record {}: {e}",
                        pointer_or_root(e.instance_path().as_str())
                    ),
                )
            })
            .collect()
    }

    /// Every way `value` violates the dataset schema, each with the path of the value it is
    /// about; [`crate::config`] turns them into messages with line, column and example.
    pub fn dataset_errors(&self, value: &Value) -> Vec<crate::config::SchemaError> {
        use crate::config::{SchemaError, SchemaErrorKind};
        use jsonschema::error::ValidationErrorKind as K;
        self.dataset
            .iter_errors(value)
            .map(|e| {
                let path = e
                    .instance_path()
                    .as_str()
                    .split('/')
                    .skip(1)
                    .map(|s| s.replace("~1", "/").replace("~0", "~"))
                    .collect();
                let kind = match e.kind() {
                    K::Required { property } => SchemaErrorKind::Missing(
                        property
                            .as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| property.to_string()),
                    ),
                    K::AdditionalProperties { unexpected } => {
                        SchemaErrorKind::Unknown(unexpected.clone())
                    }
                    K::Type { .. } => SchemaErrorKind::Type,
                    _ => SchemaErrorKind::Other,
                };
                SchemaError {
                    path,
                    kind,
                    message: e.to_string(),
                }
            })
            .collect()
    }
}

impl Default for SchemaSet {
    fn default() -> Self {
        SchemaSet::new()
    }
}

/// Compile a draft 2020-12 schema with format validation on.
pub fn compile(schema: &str) -> Result<jsonschema::Validator, String> {
    let schema: Value = serde_json::from_str(schema).map_err(|e| e.to_string())?;
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| e.to_string())
}

fn pointer_or_root(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}
