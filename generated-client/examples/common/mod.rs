//! What the examples' tests share.

/// The example's `--help` names the variables and the profile file
/// `Client::from_env` reads.
pub fn assert_help_names_the_environment(mut command: clap::Command) {
    let help = command.render_long_help().to_string();
    for needed in
        ["KEYFACTOR_HOSTNAME", "KEYFACTOR_USERNAME", "KEYFACTOR_AUTH_CLIENT_ID", ".keyfactor/command_config.json"]
    {
        assert!(help.contains(needed), "{needed} missing from:\n{help}");
    }
}
