//! `keyfactor <area> <operation> [PATH ARGS] [--flags]`: every operation of
//! every API version of Keyfactor Command release 25, from the shell. The
//! subcommands are the generated client's table (`keyfactor_client::cli`),
//! run by the runtime's command line (`keyfactor_runtime::cli`).

fn main() -> std::process::ExitCode {
    keyfactor_client::cli::main()
}
