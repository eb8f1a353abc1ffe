//! Generates the client for the documents in `keyfactor-api/` into OUT_DIR;
//! cargo reruns this when one of them changes.

fn main() {
    if let Err(e) = keyfactor_generator::build::Build::new("keyfactor-api").generate() {
        // The error names the document and the JSON pointer.
        panic!("generating the Keyfactor client: {e}");
    }
}
