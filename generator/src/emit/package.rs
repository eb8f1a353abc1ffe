//! A whole client crate for one release, around its `src/generated`
//! directory: what `cargo keyfactor new` writes (`Cargo.toml`, `README.md`,
//! `src/lib.rs`, `type-names.lock`; the release's documents and manifest are
//! copied in by `keyfactor-release`). The crate depends on the shared
//! runtime, `keyfactor-runtime`, by path, git or version.

use std::fmt::Write as _;
use std::str::FromStr;

use super::{Files, cargo_features, docs, type_names_lock};
use crate::model::Api;

/// Where the crate takes `keyfactor-runtime` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeDependency {
    /// A path, relative to the crate (`../keyfactor-rust/runtime`).
    Path(String),
    /// A git repository holding it (`https://example.com/keyfactor-rust.git`).
    Git(String),
    /// A registry version requirement (`0.1`).
    Version(String),
}

impl FromStr for RuntimeDependency {
    type Err = String;

    /// `path=DIR`, `git=URL` or `version=X`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (kind, value) = text.split_once('=').unwrap_or((text, ""));
        let value = value.trim();
        if value.is_empty() || value.contains(['"', '\\', '\n']) {
            return Err(format!("--runtime {text:?}: expected path=DIR, git=URL or version=X"));
        }
        match kind {
            "path" => Ok(RuntimeDependency::Path(value.to_string())),
            "git" => Ok(RuntimeDependency::Git(value.to_string())),
            "version" => Ok(RuntimeDependency::Version(value.to_string())),
            _ => Err(format!("--runtime {text:?}: expected path=DIR, git=URL or version=X")),
        }
    }
}

impl RuntimeDependency {
    /// The dependency a `Cargo.toml` this module wrote has.
    pub fn of_cargo_toml(cargo_toml: &str) -> Option<Self> {
        let line = cargo_toml.lines().find_map(|l| l.trim().strip_prefix("keyfactor-runtime = "))?;
        let quoted = |text: &str| text.split('"').nth(1).map(str::to_string);
        match line.strip_prefix('{') {
            Some(table) if table.trim_start().starts_with("path") => quoted(table).map(RuntimeDependency::Path),
            Some(table) if table.trim_start().starts_with("git") => quoted(table).map(RuntimeDependency::Git),
            Some(table) if table.trim_start().starts_with("version") => quoted(table).map(RuntimeDependency::Version),
            Some(_) => None,
            None => quoted(line).map(RuntimeDependency::Version),
        }
    }

    /// The dependency line of `Cargo.toml`.
    fn toml(&self) -> String {
        match self {
            RuntimeDependency::Path(path) => format!("keyfactor-runtime = {{ path = \"{path}\" }}"),
            RuntimeDependency::Git(url) => format!("keyfactor-runtime = {{ git = \"{url}\" }}"),
            RuntimeDependency::Version(version) => format!("keyfactor-runtime = \"{version}\""),
        }
    }
}

/// One document of the release, as the README lists it.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: String,
    pub sha256: String,
}

/// What makes the crate besides the model.
#[derive(Debug, Clone)]
pub struct Package {
    /// The crate's name (`keyfactor-client-10`).
    pub name: String,
    /// Its version: kept from the crate's existing `Cargo.toml` by the caller.
    pub version: String,
    pub release: String,
    pub documents: Vec<Document>,
    pub runtime: RuntimeDependency,
    /// Whether the crate has the `keyfactor` binary (feature `cli`).
    pub cli: bool,
}

/// Whether a `Cargo.toml` this module wrote has the `keyfactor` binary.
pub fn has_cli(cargo_toml: &str) -> bool {
    cargo_toml.contains(CLI_BIN)
}

/// The binary target of a crate with the command line.
const CLI_BIN: &str = "[[bin]]\nname = \"keyfactor\"\n";

/// Whether `name` can name a crate: ASCII letters, digits, `-` and `_`,
/// starting with a letter.
pub fn is_crate_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.len() <= 64
}

/// The files of the crate outside `src/generated`, by path relative to the
/// crate: `Cargo.toml`, `README.md`, `src/lib.rs`, `type-names.lock`.
pub fn package_files(api: &Api, package: &Package) -> Files {
    let mut files = Files::new();
    files.insert("Cargo.toml".into(), cargo_toml(api, package));
    files.insert("README.md".into(), readme(api, package));
    files.insert("src/lib.rs".into(), lib_rs(package));
    files.insert("type-names.lock".into(), type_names_lock(api));
    files.insert(".gitignore".into(), "/target\n".into());
    if package.cli {
        files.insert("src/bin/keyfactor.rs".into(), cli_main(package));
    }
    files
}

fn cli_main(package: &Package) -> String {
    let mut out = generated_by(&package.release, "//");
    let _ = write!(
        out,
        "\n//! `keyfactor <area> <operation>`: every operation of release {release}\n\
         //! from the shell (`cargo install --path . --features cli`).\n\
         \n\
         fn main() -> std::process::ExitCode {{\n    {lib}::cli::main()\n}}\n",
        release = package.release,
        lib = package.name.replace('-', "_"),
    );
    out
}

/// The `version` of the `[package]` table of an existing `Cargo.toml`.
pub fn package_version(cargo_toml: &str) -> Option<String> {
    package_field(cargo_toml, "version")
}

/// A string field (`name`, `version`) of the `[package]` table of a `Cargo.toml`.
pub fn package_field(cargo_toml: &str, key: &str) -> Option<String> {
    let mut in_package = false;
    for line in cargo_toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(rest) = line.strip_prefix(key)
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            return Some(value.trim().trim_matches('"').to_string()).filter(|v| !v.is_empty());
        }
    }
    None
}

fn generated_by(release: &str, comment: &str) -> String {
    format!(
        "{comment} @generated by `cargo keyfactor` from the Keyfactor Command release {release} documents.\n\
         {comment} Do not edit: `cargo keyfactor upgrade` rewrites this file.\n"
    )
}

/// How cargo-semver-checks is to judge a generated client, as this project
/// does (see the README, "What counts as breaking").
pub const SEMVER_POLICY: &str = "\
# How cargo-semver-checks judges this crate, as the Keyfactor client project's
# release diff does: a struct that gains a field is an addition (a minor
# update), not a break, because every generated struct implements Default and
# call sites build them with `..Default::default()`.
[package.metadata.cargo-semver-checks.lints]
constructible_struct_adds_field = { level = \"deny\", required-update = \"minor\" }

# docs.rs documents every area, and marks each item with the feature it needs.
[package.metadata.docs.rs]
all-features = true
rustdoc-args = [\"--cfg\", \"docsrs\"]
";

fn cargo_toml(api: &Api, package: &Package) -> String {
    let mut out = generated_by(&package.release, "#");
    out.push_str("# It keeps the `version` it finds here; change that as you release the crate.\n\n");
    let _ = write!(
        out,
        "[package]\n\
         name = \"{name}\"\n\
         version = \"{version}\"\n\
         description = \"Keyfactor Command API client for release {release}, generated from its OpenAPI documents\"\n\
         edition = \"2024\"\n\
         rust-version = \"1.85\"\n\n\
         [features]\n\
         # The command line (`cli::main`, and the `keyfactor` binary where there is one).\n\
         cli = [\"roundtrip\", \"keyfactor-runtime/cli\"]\n\
         # Call operations by name with text arguments (`dynamic::call`).\n\
         dynamic = [\"roundtrip\", \"keyfactor-runtime/dynamic\"]\n\
         # Every type implements both Serialize and Deserialize (by default, each\n\
         # only in the direction it crosses the wire).\n\
         roundtrip = []\n\
         # Test doubles for code that uses the client: `mock::MockServer`, `mock::ReplayServer`.\n\
         mock = [\"roundtrip\", \"keyfactor-runtime/mock\"]\n\
         # One feature per area (tag of the documents), all on by default.\n\
         {features}\n\
         [dependencies]\n\
         {runtime}\n\
         chrono = {{ version = \"0.4\", default-features = false }}\n\
         futures-core = \"0.3\"\n\
         serde_json = \"1\"\n\
         uuid = \"1\"\n\n\
         {bin}\
         {semver_policy}",
        semver_policy = SEMVER_POLICY,
        bin = if package.cli { format!("{CLI_BIN}required-features = [\"cli\"]\n\n") } else { String::new() },
        name = package.name,
        version = package.version,
        release = package.release,
        features = cargo_features(api),
        runtime = package.runtime.toml(),
    );
    out
}

fn readme(api: &Api, package: &Package) -> String {
    let (name, release) = (&package.name, &package.release);
    let lib = name.replace('-', "_");
    let operations = api.operations().count();
    let mut out = generated_by(release, "<!--").lines().map(|l| format!("{l} -->\n")).collect::<String>();
    let _ = write!(
        out,
        "\n# {name}\n\n\
         A Rust client for the Keyfactor Command REST API of **release {release}**: {operations} operations \
         and {types} types, generated from the release's OpenAPI documents by `cargo keyfactor new`. \
         Every operation of every API version is a method of `Client` (`get_x` for version 1, `get_x_v2` \
         for version 2), and sends its own `x-keyfactor-api-version`.\n\n\
         Configuration, authentication, retries, errors and the test doubles come from the runtime that every \
         generated client shares, `keyfactor-runtime` (re-exported as `{lib}::keyfactor_runtime`), so this \
         crate and the client of another release can serve one program with one configuration and one \
         error type.\n\n\
         ## Documents\n\n\
         | file | sha256 |\n|---|---|\n",
        types = api.types.len(),
    );
    for doc in &package.documents {
        let _ = writeln!(out, "| `{}` | `{}` |", doc.file, doc.sha256);
    }
    let _ = write!(
        out,
        "\n## Using it\n\n\
         ```toml\n[dependencies]\n{name} = {{ path = \"../{name}\" }}\n```\n\n\
         ```rust,ignore\n\
         let client = {lib}::Client::from_env()?; // or Client::builder(url).auth(..).build()?\n\
         ```\n\n\
         With servers of two releases, build one runtime client and make each release's client from it:\n\n\
         ```rust,ignore\n\
         let shared = {lib}::keyfactor_runtime::Client::from_env()?;\n\
         let this_release = {lib}::Client::from(shared.clone());\n\
         let other_release = keyfactor_client::Client::from(shared);\n\
         ```\n\n\
         Each area of the API (a tag of the documents) is a cargo feature, all on by default; \
         `default-features = false, features = [\"certificate\"]` compiles one.\n\n\
         ## Regenerating\n\n\
         The documents are kept in `spec/`, named with their sha256 in `spec/release.yaml`, with any \
         corrections in `spec/overrides.yaml`. With the tool installed (`cargo install cargo-keyfactor`):\n\n\
         ```sh\n\
         cargo keyfactor check                          # fails when the files differ from what the documents give\n\
         cargo keyfactor check-features                 # every area builds alone\n\
         cargo keyfactor upgrade --spec-dir NEW_RELEASE  # or --from-server URL: the next release\n\
         ```\n\n\
         `upgrade` bumps the version by what the new release changes for call sites and writes a CHANGELOG.md \
         entry. `type-names.lock` keeps every type's name, so that regenerating for a later release renames none.\n\n",
    );
    out.push_str(&docs::versions_markdown(api, false));
    out
}

fn lib_rs(package: &Package) -> String {
    let mut out = generated_by(&package.release, "//");
    let _ = write!(
        out,
        "\n//! Keyfactor Command API client for release {release}, generated from its\n\
         //! OpenAPI documents by `cargo keyfactor new`.\n\
         //!\n\
         //! Every operation of the API is a method of [`Client`] that returns a\n\
         //! request builder; `.send().await` makes the request. Configuration,\n\
         //! authentication, retries and errors come from the runtime every generated\n\
         //! client shares, [`keyfactor_runtime`].\n\
         #![doc = include_str!(\"generated/versions.md\")]\n\
         #![cfg_attr(docsrs, feature(doc_cfg))]\n\
         \n\
         #[rustfmt::skip] // formatted by prettyplease when generated\n\
         mod generated;\n\
         \n\
         pub use generated::*;\n\
         pub use keyfactor_runtime;\n",
        release = package.release,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_dependencies_parse_and_refuse_what_would_break_the_toml() {
        assert_eq!("path=../rt".parse(), Ok(RuntimeDependency::Path("../rt".into())));
        assert_eq!("git=https://x/y.git".parse(), Ok(RuntimeDependency::Git("https://x/y.git".into())));
        assert_eq!("version=0.1".parse(), Ok(RuntimeDependency::Version("0.1".into())));
        assert!("svn=x".parse::<RuntimeDependency>().is_err());
        assert!("path=".parse::<RuntimeDependency>().is_err());
        assert!("path=a\"b".parse::<RuntimeDependency>().is_err());
        for text in ["path=../rt", "git=https://x/y.git", "version=0.1"] {
            let dependency: RuntimeDependency = text.parse().unwrap();
            let toml = format!("[dependencies]\n{}\nchrono = \"0.4\"\n", dependency.toml());
            assert_eq!(RuntimeDependency::of_cargo_toml(&toml), Some(dependency));
        }
        assert_eq!(RuntimeDependency::of_cargo_toml("[dependencies]\n"), None);
        assert_eq!(RuntimeDependency::Version("0.1".into()).toml(), "keyfactor-runtime = \"0.1\"");
    }

    #[test]
    fn the_package_version_is_read_from_the_package_table_only() {
        let toml = "[package]\nname = \"x\"\nversion = \"1.4.0\"\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(package_version(toml).as_deref(), Some("1.4.0"));
        assert_eq!(package_version("[dependencies]\nversion = \"9\"\n"), None);
    }

    #[test]
    fn crate_names() {
        assert!(is_crate_name("keyfactor-client-10"));
        assert!(!is_crate_name("10-client") && !is_crate_name("a b") && !is_crate_name(""));
    }
}
