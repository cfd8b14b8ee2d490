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

    /// Every way `value` violates the dataset schema, each naming its key (`documents.x.date`).
    pub fn dataset_problems(&self, value: &Value) -> Vec<String> {
        self.dataset
            .iter_errors(value)
            .map(|e| {
                let key = e
                    .instance_path()
                    .as_str()
                    .trim_start_matches('/')
                    .replace('/', ".");
                let key = if key.is_empty() {
                    "(top level)".to_owned()
                } else {
                    key
                };
                format!("  {key}: {e}")
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
