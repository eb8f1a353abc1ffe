//! `keyfactor` as an operator runs it, against servers on loopback: the
//! client's typed mock, a recorded server's traffic, and a plain HTTP server
//! for what a request carries.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use keyfactor_client::mock::{MockServer, ReplayServer};
use keyfactor_client::types;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `keyfactor ARGS` with Basic credentials in the environment and nothing
/// else of the caller's (no profile file is read: HOME is empty).
fn keyfactor(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_keyfactor"))
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("KEYFACTOR_USERNAME", "alice")
        .env("KEYFACTOR_PASSWORD", "secret-password")
        .env("KEYFACTOR_DOMAIN", "CORP")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "exit {:?}\n{}{}", output.status.code(), stdout(&output), stderr(&output));
    stdout(&output)
}

/// The operations of one run under `server`'s base URL.
fn at<'a>(base: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["--server", base]);
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn a_version_two_operation_sends_its_own_version() {
    let mock = MockServer::start().await;
    let provider = types::ProviderResponse { name: Some("vault".into()), ..Default::default() };
    mock.get_pam_providers_v2().respond(vec![provider]).await;
    let base = mock.base_url();
    let out = ok(keyfactor(&at(&base, &["pam-provider", "get-pam-providers-v2"])));
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value[0]["Name"], "vault", "{out}");
    mock.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn all_reads_every_page_one_item_per_line() {
    let mock = MockServer::start().await;
    let agent = |name: &str| types::AgentResponse { client_machine: Some(name.into()), ..Default::default() };
    mock.get_agents().times(2).respond_sequence(vec![vec![agent("a"), agent("b")], vec![agent("c")]]).await;
    let base = mock.base_url();
    let out = ok(keyfactor(&at(&base, &["agent", "get-agents", "--all", "--return-limit", "2", "-o", "jsonl"])));
    let names: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["ClientMachine"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    mock.verify().await;
}

#[test]
fn a_code_is_taken_by_its_documented_name_and_dry_run_sends_nothing() {
    let args = [
        "certificate",
        "get-certificates",
        "--sort-ascending",
        "descending",
        "--query-string",
        "CN -contains \"web\"",
        "--dry-run",
        "--server",
        "https://keyfactor.example.com/KeyfactorAPI",
    ];
    let out = ok(keyfactor(&args));
    assert!(!out.contains("secret-password") && !out.contains("YWxpY2U"), "{out}");
    insta::assert_snapshot!("dry_run", out);
    let by_number = ok(keyfactor(&[&args[..3], &["1"], &args[4..]].concat()));
    assert_eq!(by_number, out);
    let wrong = keyfactor(&[&args[..3], &["sideways"], &args[4..]].concat());
    assert_eq!(wrong.status.code(), Some(2));
    assert!(stderr(&wrong).contains("neither a number nor one of: ascending, descending"), "{}", stderr(&wrong));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_from_a_file_is_sent_with_its_undeclared_members() {
    let server = wiremock::MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/KeyfactorAPI/Security/Roles"))
        .and(header("x-keyfactor-api-version", "1.0"))
        .and(body_partial_json(json!({"Name": "auditors", "Undeclared": {"kept": true}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Id": 7, "Name": "auditors"})))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("role.json");
    std::fs::write(&file, r#"{"Name": "auditors", "Description": "d", "Undeclared": {"kept": true}}"#).unwrap();
    let base = format!("{}/KeyfactorAPI", server.uri());
    let args = ["security-roles", "post-security-roles", "--body", file.to_str().unwrap()];
    let out = ok(keyfactor(&at(&base, &args)));
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["Id"], 7);

    std::fs::write(&file, r#"{"Name": "auditors", "Identities": [1]}"#).unwrap();
    let bad = keyfactor(&at(&base, &args));
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("`Identities[0]`"), "{}", stderr(&bad));
    std::fs::write(&file, "{not json").unwrap();
    let bad = keyfactor(&at(&base, &args));
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("role.json: not JSON"), "{}", stderr(&bad));
}

#[tokio::test(flavor = "multi_thread")]
async fn error_statuses_and_failures_have_their_exit_codes() {
    let mock = MockServer::start().await;
    let id: uuid::Uuid = "3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f".parse().unwrap();
    mock.get_agents_by_id(id)
        .respond_status(404, json!({"ErrorCode": "0xA0110001", "Message": "Agent not found"}))
        .await;
    mock.get_agents().respond_status(401, json!({"Message": "Unauthorized"})).await;
    let base = mock.base_url();
    let missing = keyfactor(&at(&base, &["agent", "get-agents-by-id", &id.to_string()]));
    assert_eq!(missing.status.code(), Some(3), "{}", stderr(&missing));
    let message = stderr(&missing);
    assert!(message.contains("HTTP 404") && message.contains("Agent not found") && message.contains("0xA0110001"));
    let refused = keyfactor(&at(&base, &["agent", "get-agents"]));
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));
    let unreachable = keyfactor(&["agent", "get-agents", "--server", "http://127.0.0.1:9/KeyfactorAPI"]);
    assert_eq!(unreachable.status.code(), Some(5), "{}", stderr(&unreachable));
    let usage = keyfactor(&at(&base, &["agent", "get-agents-by-id"]));
    assert_eq!(usage.status.code(), Some(2));
    assert!(stderr(&usage).contains("<ID>"), "{}", stderr(&usage));
    let not_a_uuid = keyfactor(&at(&base, &["agent", "get-agents-by-id", "seven"]));
    assert_eq!(not_a_uuid.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn recorded_traffic_replays_through_the_command_line() {
    let cassette = root().join("conformance/recordings/security_role_resource.yaml");
    let replay = ReplayServer::start(&cassette).await.unwrap();
    let base = replay.client().base_url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("role.json");
    std::fs::write(&file, r#"{"Name":"tf-unit-role-576809000","Description":"Unit test role","Permissions":[]}"#)
        .unwrap();
    let created =
        ok(keyfactor(&at(&base, &["security-roles", "post-security-roles", "--body", file.to_str().unwrap()])));
    assert_eq!(serde_json::from_str::<Value>(&created).unwrap()["Id"], 909, "{created}");
    let table = ok(keyfactor(&at(&base, &["security-roles", "get-security-roles-by-id", "909", "-o", "table"])));
    insta::assert_snapshot!("table", table);
    let columns = ok(keyfactor(&at(
        &base,
        &["security-roles", "get-security-roles-by-id", "909", "-o", "table", "--columns", "Id,Name"],
    )));
    assert_eq!(columns, "Id   Name\n909  tf-unit-role-576809000\n");
    let yaml = ok(keyfactor(&at(&base, &["security-roles", "get-security-roles-by-id", "909", "-o", "yaml"])));
    assert!(yaml.contains("Name: tf-unit-role-576809000\n"), "{yaml}");
}

#[test]
fn help_lists_areas_operations_and_their_arguments() {
    let root_help = ok(keyfactor(&["--help"]));
    assert!(root_help.contains("security-roles") && root_help.contains("Exit codes: 0 success"), "{root_help}");
    insta::assert_snapshot!("area_help", ok(keyfactor(&["agent", "--help"])));
    insta::assert_snapshot!("operation_help", ok(keyfactor(&["agent", "get-agents", "--help"])));
    let template = ok(keyfactor(&["security-roles", "post-security-roles", "--body-template"]));
    let template: Value = serde_json::from_str(&template).unwrap();
    assert_eq!(template["Name"], "string");
    let bash = ok(keyfactor(&["completions", "bash"]));
    assert!(bash.contains("get-security-roles-by-id-v2"), "completions name every operation");
}

#[test]
fn a_profile_of_a_config_file_and_a_body_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("command_config.json");
    std::fs::write(
        &config,
        r#"{"servers":{"default":{"host":"prod.example.com"},"staging":{"host":"staging.example.com"}}}"#,
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let request = |profile: &[&str]| {
        let mut args = vec!["agent", "get-agents", "--dry-run", "--config", config];
        args.extend(profile);
        ok(keyfactor(&args))
    };
    assert!(request(&[]).starts_with("GET https://prod.example.com/KeyfactorAPI/Agents"), "{}", request(&[]));
    let staging = request(&["--profile", "staging"]);
    assert!(staging.starts_with("GET https://staging.example.com/KeyfactorAPI/Agents"), "{staging}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_keyfactor"))
        .args(["security-roles", "post-security-roles", "--body", "-", "--dry-run", "--config", config])
        .env_clear()
        .env("HOME", dir.path())
        .env("KEYFACTOR_AUTH_ACCESS_TOKEN", "token")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(br#"{"Name": "from-stdin", "Undeclared": 1}"#).unwrap();
    let out = ok(child.wait_with_output().unwrap());
    assert!(out.starts_with("POST https://prod.example.com/KeyfactorAPI/Security/Roles\n"), "{out}");
    assert!(out.contains("authorization: <bearer, redacted>") && !out.contains("token\n"), "{out}");
    let body: Value = serde_json::from_str(out.rsplit("\n\n").next().unwrap()).unwrap();
    assert_eq!((body["Name"].as_str(), body["Undeclared"].as_i64()), (Some("from-stdin"), Some(1)), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_logs_each_request_and_its_status() {
    let mock = MockServer::start().await;
    mock.get_agents().respond(vec![]).await;
    let base = mock.base_url();
    let out = keyfactor(&at(&base, &["agent", "get-agents", "-v"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("GET /Agents (v1.0): 200 in "), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "[]");
}
