//! The command line of a generated client (feature `cli`): `keyfactor
//! <area> <operation> [PATH ARGS] [--flags]`, one subcommand per operation
//! and version, made from the table the generator writes (`cli::AREAS` of
//! the client crate). A request is built from the operation's
//! [`OperationInfo`] and the arguments, its body checked against the
//! request type, and the response written as the server sent it: no typed
//! code per operation beyond the body check, so the command line costs
//! little to compile.
//!
//! Start-up stays cheap whatever the number of operations: the arguments
//! are scanned for the area and operation first, and only that operation's
//! arguments are built (the others are names and summaries); `completions`
//! alone builds the whole tree.
//!
//! Exit codes: 0 success; 1 configuration (no server, unreadable profile);
//! 2 bad arguments (clap's usage code; also a body file that is not JSON or
//! does not fit the request type); 3 an HTTP error status; 4 authentication
//! refused (401, 403, the token endpoint failed); 5 transport or timeout;
//! 6 a response that cannot be decoded.

mod output;

use std::borrow::Cow;
use std::ffi::OsString;
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::request::{ParamValue, Request};
use crate::{Client, ClientBuilder, Error, OperationInfo, Response};
pub use output::Format;

/// Success.
pub const EXIT_OK: u8 = 0;
/// The client cannot be configured (no server, an unreadable profile file).
pub const EXIT_CONFIG: u8 = 1;
/// Bad arguments (clap's usage code), including a body that does not fit.
pub const EXIT_USAGE: u8 = 2;
/// The server answered with an error status.
pub const EXIT_STATUS: u8 = 3;
/// The server refused the credentials (401, 403), or no token was issued.
pub const EXIT_AUTH: u8 = 4;
/// The request was not answered: transport failure or timeout.
pub const EXIT_TRANSPORT: u8 = 5;
/// The response does not have the shape the documents declare.
pub const EXIT_DECODE: u8 = 6;

const EXIT_CODES_HELP: &str = "Exit codes: 0 success, 1 configuration, 2 bad arguments, 3 HTTP error status, \
                               4 authentication refused, 5 transport or timeout, 6 undecodable response.";

/// What the command line is made of: the generated table.
pub struct Spec {
    /// The binary's name (`keyfactor`).
    pub bin: &'static str,
    /// The Keyfactor Command release of the client.
    pub release: &'static str,
    /// The areas of the client compiled in, each with its operations.
    pub areas: &'static [Area],
}

/// One area of the API (a tag of the documents; a cargo feature).
#[derive(Debug)]
pub struct Area {
    /// The area's feature name: `certificate`, `security-roles`.
    pub name: &'static str,
    /// The tag as the documents write it.
    pub tag: &'static str,
    /// Its operations, in the client's order.
    pub ops: &'static [Op],
}

/// One operation in one version: one subcommand.
#[derive(Debug)]
pub struct Op {
    /// The client function's name in kebab case: `get-agents-by-id-v2`.
    pub name: &'static str,
    /// What the client knows of the operation: method, path, version.
    pub info: &'static OperationInfo,
    /// The documents' summary (may be empty).
    pub summary: &'static str,
    /// The documents' description (may be empty).
    pub description: &'static str,
    /// Whether the documents mark it deprecated.
    pub deprecated: bool,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, e.g. `/Agents/{id}`.
    pub path: &'static str,
    /// The `x-keyfactor-api-version` it sends.
    pub version: &'static str,
    /// Path parameters in path order, then the others.
    pub params: &'static [Param],
    /// The request body, if it takes one.
    pub body: Option<Body>,
    /// The page-number and page-size query parameters of a paged listing.
    pub paging: Option<(&'static str, &'static str)>,
}

/// The request body of an operation.
#[derive(Debug)]
pub struct Body {
    /// Whether the body must be given.
    pub required: bool,
    /// The request type's Rust name.
    pub type_name: &'static str,
    /// A JSON skeleton of the request type (`--body-template`).
    pub template: &'static str,
    /// Decodes a body as the request type: where it does not fit, the JSON
    /// path and why ([`check_body`] of the type).
    pub check: fn(&str) -> Result<(), String>,
}

/// Whether `text` decodes as `T`, as the client decodes values: a member
/// whose value does not fit its type is set aside (the server may take it),
/// while JSON that is not, or an object where `T` has none, is an error
/// naming its JSON path.
pub fn check_body<T: DeserializeOwned>(text: &str) -> Result<(), String> {
    crate::object::decode_tolerant::<T>(text)
        .map(drop)
        .map_err(|e| format!("the body does not fit its type at `{}`: {}", e.path(), e.inner()))
}

/// A parameter of an operation.
#[derive(Debug)]
pub struct Param {
    /// The name on the wire.
    pub wire: &'static str,
    /// The flag (`--query-string`), or the positional's value name.
    pub flag: &'static str,
    /// Where it goes.
    pub location: Location,
    /// What its value must be.
    pub kind: Kind,
    /// Whether it must be given.
    pub required: bool,
    /// Repeated (an array).
    pub array: bool,
    /// The documents' description.
    pub help: &'static str,
    /// The documented names of an integer code's values.
    pub codes: &'static [(i64, &'static str)],
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A positional argument, in path order.
    Path,
    /// A `--flag`, sent in the query.
    Query,
    /// A `--flag`, sent as a header.
    Header,
}

/// What a parameter's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any text.
    Text,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A UUID.
    Uuid,
    /// An RFC 3339 date-time.
    DateTime,
    /// An integer code: a number or a documented name.
    Code,
}

/// Options every command takes (taking a value where `true`).
const GLOBAL: &[(&str, bool)] = &[
    ("server", true),
    ("profile", true),
    ("config", true),
    ("output", true),
    ("columns", true),
    ("dry-run", false),
    ("verbose", false),
];

/// Runs the command line on the process's arguments.
pub fn main(spec: &Spec) -> ExitCode {
    ExitCode::from(run(spec, std::env::args_os().collect()))
}

/// Runs the command line on `args` (the binary's name first); the exit code.
pub fn run(spec: &Spec, args: Vec<OsString>) -> u8 {
    let (area, op) = locate(spec, &args);
    if let (Some(op), true) = (op, args.iter().any(|a| a == "--body-template")) {
        return body_template(op);
    }
    let matches = match command(spec, area, op).try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(e) => {
            let _ = e.print();
            return e.exit_code().clamp(0, 255) as u8;
        }
    };
    match matches.subcommand() {
        Some(("completions", sub)) => completions(spec, sub),
        Some((_, area_matches)) => match (op, area_matches.subcommand()) {
            (Some(op), Some((_, op_matches))) => execute(op, &matches, op_matches),
            _ => EXIT_USAGE,
        },
        None => EXIT_USAGE,
    }
}

/// The area and operation the arguments name: the first two words that are
/// not options (or their values).
fn locate(spec: &Spec, args: &[OsString]) -> (Option<&'static Area>, Option<&'static Op>) {
    let mut words = Vec::new();
    let mut rest = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(arg) = rest.next() {
        if arg == "--" || words.len() == 2 {
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            if GLOBAL.iter().any(|(name, value)| *value && *name == long) {
                rest.next();
            }
        } else if arg == "-o" {
            rest.next();
        } else if !arg.starts_with('-') {
            words.push(arg);
        }
    }
    let area = words.first().and_then(|w| spec.areas.iter().find(|a| a.name == *w));
    let op = area.zip(words.get(1)).and_then(|(a, w)| a.ops.iter().find(|o| o.name == *w));
    (area, op)
}

/// The command tree, built in full only for `area` and `op`.
fn command(spec: &Spec, area: Option<&Area>, op: Option<&Op>) -> Command {
    let mut root = Command::new(spec.bin)
        .about(format!(
            "Every operation of the Keyfactor Command API (release {}), from the shell: {} <AREA> <OPERATION>",
            spec.release, spec.bin
        ))
        .version(crate::VERSION)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(format!("{EXIT_CODES_HELP}\n\n{}", crate::ENVIRONMENT_HELP))
        .args(global_args())
        .subcommand(
            Command::new("completions")
                .about("Prints a completion script for a shell")
                .arg(Arg::new("shell").required(true).value_parser(["bash", "zsh", "fish", "powershell", "elvish"])),
        );
    for a in spec.areas {
        let full = area.is_some_and(|x| std::ptr::eq(x, a));
        root = root.subcommand(area_command(a, full.then_some(op).flatten(), full));
    }
    root
}

fn global_args() -> Vec<Arg> {
    let args = vec![
        Arg::new("server")
            .long("server")
            .global(true)
            .value_name("URL")
            .help("The API base, e.g. https://HOST/KeyfactorAPI (http:// for loopback and test servers)"),
        Arg::new("profile").long("profile").global(true).value_name("NAME").help("The profile of the config file"),
        Arg::new("config").long("config").global(true).value_name("FILE").help("The config file (kfutil's)"),
        Arg::new("output")
            .long("output")
            .short('o')
            .global(true)
            .value_name("FORMAT")
            .value_parser(["json", "jsonl", "yaml", "table"])
            .help("json (pretty on a terminal), jsonl (one item per line), yaml or table"),
        Arg::new("columns")
            .long("columns")
            .global(true)
            .value_name("A,B")
            .value_delimiter(',')
            .help("The columns of --output table (default: the first item's plain members)"),
        Arg::new("dry-run")
            .long("dry-run")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Print the request (credentials redacted) and send nothing"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Log each request and its status on stderr"),
    ];
    args.into_iter().map(|a| a.help_heading("Global options")).collect()
}

fn area_command(area: &Area, op: Option<&Op>, full: bool) -> Command {
    let mut command = Command::new(area.name).about(format!("{} ({} operations)", area.tag, area.ops.len()));
    if !full {
        return command;
    }
    command = command.subcommand_required(true).arg_required_else_help(true);
    for o in area.ops {
        command = command.subcommand(match op {
            Some(x) if std::ptr::eq(x, o) => op_command(o),
            _ => Command::new(o.name).about(op_about(o)),
        });
    }
    command
}

fn op_about(op: &Op) -> String {
    let mark = if op.deprecated { "[deprecated] " } else { "" };
    let summary = if op.summary.is_empty() { format!("{} {}", op.method, op.path) } else { op.summary.to_string() };
    format!("{mark}{summary} (v{})", op.version)
}

fn op_command(op: &Op) -> Command {
    let mut command = Command::new(op.name).about(op_about(op)).after_help(format!(
        "{} {} with x-keyfactor-api-version: {}{}{}",
        op.method,
        op.path,
        op.version,
        if op.description.is_empty() { "" } else { "\n\n" },
        op.description
    ));
    for param in op.params {
        command = command.arg(param_arg(param));
    }
    command = command
        .arg(
            Arg::new("--query")
                .long("query")
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .value_parser(name_value)
                .help("A query parameter the documents do not declare"),
        )
        .arg(
            Arg::new("--header")
                .long("header")
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .value_parser(name_value)
                .help("A header the documents do not declare"),
        );
    if let Some(body) = &op.body {
        command = command
            .arg(
                Arg::new("--body")
                    .long("body")
                    .value_name("FILE")
                    .required(body.required)
                    .help(format!("The request body ({}) as JSON, from FILE or - (stdin)", body.type_name)),
            )
            .arg(
                Arg::new("--body-template")
                    .long("body-template")
                    .action(ArgAction::SetTrue)
                    .help("Print a JSON skeleton of the request body and exit"),
            );
    }
    if op.paging.is_some() {
        command = command.arg(
            Arg::new("--all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Read every page (one item per line with -o jsonl); memory stays flat"),
        );
    }
    command
}

fn param_arg(param: &Param) -> Arg {
    let mut help = match (param.help.is_empty(), param.location) {
        (false, _) => param.help.to_string(),
        (true, Location::Path) => format!("The path parameter {}", param.wire),
        (true, Location::Query) => format!("The query parameter {}", param.wire),
        (true, Location::Header) => format!("The header {}", param.wire),
    };
    if !param.codes.is_empty() {
        let names: Vec<String> = param.codes.iter().map(|(n, name)| format!("{n}={name}")).collect();
        help.push_str(&format!(" [a number or a name: {}]", names.join(", ")));
    }
    // The flag, not the wire name, is the argument's id: a path and a query
    // parameter may share a wire name (`ID` and `--id`).
    let arg = Arg::new(param.flag).help(help).required(param.required);
    let arg = match param.location {
        Location::Path => arg.value_name(param.flag),
        Location::Query | Location::Header => arg.long(param.flag).value_name(value_name(param.kind)),
    };
    let arg = if param.array { arg.action(ArgAction::Append) } else { arg };
    match param.kind {
        Kind::Text => arg,
        Kind::Integer => arg.value_parser(clap::value_parser!(i64)),
        Kind::Number => arg.value_parser(clap::value_parser!(f64)),
        Kind::Bool => arg.value_parser(clap::value_parser!(bool)),
        Kind::Uuid => arg.value_parser(|s: &str| uuid::Uuid::parse_str(s).map(|_| s.to_string())),
        Kind::DateTime => arg.value_parser(|s: &str| {
            crate::parse_date_time(s)
                .map(|_| s.to_string())
                .ok_or_else(|| format!("{s:?} is not a date-time (RFC 3339)"))
        }),
        Kind::Code => {
            let codes = param.codes;
            arg.value_parser(move |s: &str| code_value(codes, s))
        }
    }
}

fn value_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "TEXT",
        Kind::Integer => "INT",
        Kind::Number => "NUMBER",
        Kind::Bool => "true|false",
        Kind::Uuid => "UUID",
        Kind::DateTime => "DATE-TIME",
        Kind::Code => "CODE",
    }
}

/// An integer code given as a number or a documented name (any case;
/// spaces, `-` and `_` alike), as the number.
fn code_value(codes: &[(i64, &str)], text: &str) -> Result<i64, String> {
    if let Ok(number) = text.parse::<i64>() {
        return Ok(number);
    }
    let key = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let wanted = key(text);
    codes.iter().find(|(_, name)| key(name) == wanted).map(|(n, _)| *n).ok_or_else(|| {
        let names: Vec<&str> = codes.iter().map(|(_, n)| *n).collect();
        if names.is_empty() {
            format!("{text:?} is not a number")
        } else {
            format!("{text:?} is neither a number nor one of: {}", names.join(", "))
        }
    })
}

fn name_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .filter(|(n, _)| !n.is_empty())
        .ok_or_else(|| format!("{text:?} is not NAME=VALUE"))
}

fn body_template(op: &Op) -> u8 {
    let Some(body) = &op.body else {
        eprintln!("error: {} takes no request body", op.name);
        return EXIT_USAGE;
    };
    let value: Value = serde_json::from_str(body.template).unwrap_or(Value::Null);
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
    EXIT_OK
}

fn completions(spec: &Spec, matches: &ArgMatches) -> u8 {
    let mut command = command(spec, None, None);
    let areas: Vec<Command> = spec
        .areas
        .iter()
        .map(|a| {
            let mut area = Command::new(a.name).about(format!("{} ({} operations)", a.tag, a.ops.len()));
            for op in a.ops {
                area = area.subcommand(op_command(op));
            }
            area
        })
        .collect();
    for area in areas {
        let name = area.get_name().to_string();
        command = command.mut_subcommand(name, |_| area);
    }
    let shell = match matches.get_one::<String>("shell").map(String::as_str) {
        Some("bash") => clap_complete::Shell::Bash,
        Some("zsh") => clap_complete::Shell::Zsh,
        Some("fish") => clap_complete::Shell::Fish,
        Some("powershell") => clap_complete::Shell::PowerShell,
        _ => clap_complete::Shell::Elvish,
    };
    clap_complete::generate(shell, &mut command, spec.bin, &mut std::io::stdout());
    EXIT_OK
}

/// Runs `op` with the parsed arguments.
fn execute(op: &'static Op, global: &ArgMatches, matches: &ArgMatches) -> u8 {
    let args = match dynamic_args(op, matches) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let dry_run = global.get_flag("dry-run");
    let client = match client(global, dry_run) {
        Ok(client) => client,
        Err(e) => return failure(&e),
    };
    let format = output::Format::of(global.get_one::<String>("output").map(String::as_str));
    let columns: Vec<String> = global.get_many::<String>("columns").map(|c| c.cloned().collect()).unwrap_or_default();
    let verbose = global.get_flag("verbose");
    let all = op.paging.is_some() && matches.get_flag("--all");
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return EXIT_CONFIG;
        }
    };
    let mut out = output::Writer::new(format, columns, std::io::stdout().is_terminal());
    let run = Run { op, client: &client, verbose };
    let result = runtime
        .block_on(async { if all { run.every_page(args, &mut out).await } else { run.once(&args, &mut out).await } });
    match result {
        Ok(()) => EXIT_OK,
        Err(Error::DryRun(request)) => {
            print!("{request}");
            EXIT_OK
        }
        Err(e) => failure(&e),
    }
}

/// The error on stderr; its exit code.
fn failure(error: &Error) -> u8 {
    eprintln!("error: {error}");
    exit_code(error)
}

/// The exit code of `error` (see the module docs).
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::DryRun(_) => EXIT_OK,
        Error::Config(_) => EXIT_CONFIG,
        Error::InvalidArgument { .. } | Error::Encode { .. } => EXIT_USAGE,
        Error::Auth(_) | Error::Status { status: 401 | 403, .. } => EXIT_AUTH,
        Error::Status { .. } | Error::UnsupportedApiVersion { .. } => EXIT_STATUS,
        Error::Transport { .. } | Error::Timeout { .. } => EXIT_TRANSPORT,
        Error::Decode { .. } => EXIT_DECODE,
    }
}

/// The client of `--server`, `--profile`, `--config` and the environment.
fn client(global: &ArgMatches, dry_run: bool) -> crate::Result<Client> {
    let profile = global.get_one::<String>("profile").cloned();
    let file = global.get_one::<String>("config").cloned();
    let lookup = |name: &str| match name {
        "KEYFACTOR_AUTH_CONFIG_PROFILE" if profile.is_some() => profile.clone(),
        "KEYFACTOR_AUTH_CONFIG_FILE" if file.is_some() => file.clone(),
        _ => std::env::var(name).ok(),
    };
    let server = global.get_one::<String>("server").cloned();
    let builder: ClientBuilder = crate::config::from_lookup(&lookup, server)?;
    builder.dry_run(dry_run).build()
}

/// An operation's arguments as text, and its body.
#[derive(Debug, Default)]
struct Args {
    /// Path parameters, in path order.
    path: Vec<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// The operation's arguments from the parsed command line.
fn dynamic_args(op: &Op, matches: &ArgMatches) -> Result<Args, String> {
    let mut args = Args::default();
    for param in op.params {
        let values: Vec<String> = match param.kind {
            Kind::Integer | Kind::Code => {
                matches.get_many::<i64>(param.flag).map(|v| v.map(i64::to_string).collect()).unwrap_or_default()
            }
            Kind::Number => {
                matches.get_many::<f64>(param.flag).map(|v| v.map(f64::to_string).collect()).unwrap_or_default()
            }
            Kind::Bool => {
                matches.get_many::<bool>(param.flag).map(|v| v.map(bool::to_string).collect()).unwrap_or_default()
            }
            _ => matches.get_many::<String>(param.flag).map(|v| v.cloned().collect()).unwrap_or_default(),
        };
        let target = match param.location {
            Location::Path => {
                args.path.extend(values);
                continue;
            }
            Location::Query => &mut args.query,
            Location::Header => &mut args.headers,
        };
        target.extend(values.into_iter().map(|v| (param.wire.to_string(), v)));
    }
    let pairs = |id: &str| matches.get_many::<(String, String)>(id).map(|v| v.cloned().collect::<Vec<_>>());
    args.query.extend(pairs("--query").unwrap_or_default());
    args.headers.extend(pairs("--header").unwrap_or_default());
    if let Some(body) = &op.body
        && let Some(source) = matches.get_one::<String>("--body")
    {
        let text = read_body(source)?;
        (body.check)(&text).map_err(|e| format!("--body {source}: {e}"))?;
        args.body = Some(text);
    }
    Ok(args)
}

/// The JSON text of `--body FILE` or `--body -`.
fn read_body(source: &str) -> Result<String, String> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("--body -: cannot read stdin: {e}"))?;
        text
    } else {
        std::fs::read_to_string(source).map_err(|e| format!("--body {source}: cannot read: {e}"))?
    };
    serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|e| format!("--body {source}: not JSON: {e}"))?;
    Ok(text)
}

/// One command's run.
struct Run<'a> {
    op: &'static Op,
    client: &'a Client,
    verbose: bool,
}

impl Run<'_> {
    /// The operation's request: the path filled in, the parameters in the
    /// order given, the body as written.
    fn request(&self, args: &Args) -> Request {
        let path: Vec<&dyn ParamValue> = args.path.iter().map(|p| p as &dyn ParamValue).collect();
        let mut request = Request::new(self.op.info, &path);
        request.query = args.query.iter().map(|(k, v)| (Cow::Owned(k.clone()), v.clone())).collect();
        request.headers = args.headers.iter().map(|(k, v)| (Cow::Owned(k.clone()), v.clone())).collect();
        request.body = args.body.as_ref().map(|b| b.clone().into_bytes());
        request
    }

    async fn call(&self, args: &Args) -> crate::Result<Response<Value>> {
        let started = std::time::Instant::now();
        let result = self.client.send_raw(self.request(args)).await;
        if self.verbose {
            let status = match &result {
                Ok(response) => response.status().to_string(),
                Err(Error::DryRun(_)) => "not sent (dry run)".into(),
                Err(e) => e.status().map_or_else(|| "no response".into(), |s| s.to_string()),
            };
            eprintln!(
                "{} {} (v{}): {status} in {} ms",
                self.op.method,
                self.op.path,
                self.op.version,
                started.elapsed().as_millis()
            );
        }
        result
    }

    async fn once(&self, args: &Args, out: &mut output::Writer) -> crate::Result<()> {
        let response = self.call(args).await?;
        out.value(response.value()).map_err(write_error)
    }

    /// Page after page until one is short; each item written as it comes.
    async fn every_page(&self, mut args: Args, out: &mut output::Writer) -> crate::Result<()> {
        let Some((page, limit)) = self.op.paging else { return self.once(&args, out).await };
        let given = |name: &str| args.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let size: usize = given(limit).and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(500);
        let first: usize = given(page).and_then(|v| v.parse().ok()).unwrap_or(1);
        args.query.retain(|(k, _)| !k.eq_ignore_ascii_case(page) && !k.eq_ignore_ascii_case(limit));
        args.query.push((limit.to_string(), size.to_string()));
        let progress = std::io::stderr().is_terminal();
        let mut count = 0usize;
        out.begin_list().map_err(write_error)?;
        for number in first.. {
            args.query.retain(|(k, _)| k != page);
            args.query.push((page.to_string(), number.to_string()));
            let response = self.call(&args).await?;
            let items = match response.into_inner() {
                Value::Array(items) => items,
                other => vec![other],
            };
            let short = items.len() < size;
            for item in items {
                out.item(&item).map_err(write_error)?;
                count += 1;
            }
            if progress {
                eprint!("\rpage {number}: {count} items");
            }
            if short {
                break;
            }
        }
        if progress {
            eprintln!();
        }
        out.end_list().map_err(write_error)
    }
}

fn write_error(e: std::io::Error) -> Error {
    Error::Config(format!("cannot write the output: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_take_numbers_and_names_in_any_spelling() {
        let codes = &[(0, "ascending"), (1, "Key compromised")];
        assert_eq!(code_value(codes, "1"), Ok(1));
        assert_eq!(code_value(codes, "Ascending"), Ok(0));
        assert_eq!(code_value(codes, "key-compromised"), Ok(1));
        assert_eq!(code_value(codes, "KEY_COMPROMISED"), Ok(1));
        let err = code_value(codes, "sideways").unwrap_err();
        assert!(err.contains("ascending, Key compromised"), "{err}");
    }

    #[test]
    fn every_error_has_its_exit_code() {
        assert_eq!(exit_code(&Error::Config("x".into())), EXIT_CONFIG);
        assert_eq!(exit_code(&Error::Auth("x".into())), EXIT_AUTH);
        let status = |status| Error::Status {
            operation: "op",
            status,
            api_error: None,
            body: String::new(),
            correlation_id: None,
        };
        assert_eq!(exit_code(&status(401)), EXIT_AUTH);
        assert_eq!(exit_code(&status(404)), EXIT_STATUS);
        let decode = Error::Decode {
            operation: "op",
            status: 200,
            path: ".".into(),
            message: "m".into(),
            snippet: String::new(),
        };
        assert_eq!(exit_code(&decode), EXIT_DECODE);
    }
}
