//! `s7-mock`: a mock Siemens S7 PLC on the command line. See `s7-mock --help`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{mpsc, Arc};

use s7_mock::control::ControlServer;

use tracing_subscriber::EnvFilter;

/// Prints a configuration error and returns exit code 2.
fn usage_error(error: &s7_mock::Error) -> ExitCode {
    eprintln!("s7-mock: error: {error}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args = match s7_mock::cli::parse_args(std::env::args_os()) {
        Ok(args) => args,
        Err(error) => error.exit(),
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    // Installed before the address is announced, so a signal right after it is handled.
    let (stop, stopped) = mpsc::channel();
    if let Err(error) = ctrlc::set_handler(move || {
        let _ = stop.send(());
    }) {
        eprintln!("s7-mock: cannot install the signal handler: {error}");
        return ExitCode::FAILURE;
    }

    // A profile that does not load is a usage error, like a malformed flag: exit code 2.
    let profile = match args.load_profile() {
        Ok(profile) => profile,
        Err(error) => return usage_error(&error),
    };
    let builder = match &profile {
        None => args.server_builder(),
        Some(profile) => match args.server_builder_with_profile(profile) {
            Ok(builder) => builder,
            Err(error) => return usage_error(&error),
        },
    };
    let listen = args.listen_addr(profile.as_ref());
    let server = match builder.start() {
        Ok(server) => server,
        // A protection level without a password is a configuration error, like a malformed
        // flag (the flags and the profile may each hold half of it).
        Err(error @ s7_mock::Error::ProtectionWithoutPassword { .. }) => {
            return usage_error(&error)
        }
        Err(error) => {
            eprintln!("s7-mock: cannot serve on {listen}: {error}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut stdout = std::io::stdout().lock();
        // A closed stdout only means nobody listens for the address.
        let _ = writeln!(stdout, "listening on {}", server.local_addr());
        let _ = stdout.flush();
    }
    tracing::info!(addr = %server.local_addr(), "s7-mock ready");

    let server = Arc::new(server);
    let control = match args.control_options(profile.as_ref()) {
        None => None,
        Some(options) => {
            let addr = options.addr;
            match ControlServer::start(Arc::clone(&server), options) {
                Ok(control) => {
                    let mut stdout = std::io::stdout().lock();
                    let _ = writeln!(stdout, "control on {}", control.url());
                    let _ = stdout.flush();
                    tracing::info!(addr = %control.local_addr(), "control api ready");
                    Some(control)
                }
                Err(error) => {
                    eprintln!("s7-mock: cannot serve the control api on {addr}: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };

    // Err means the handler is gone, which cannot happen while it is installed; stop anyway.
    let _ = stopped.recv();
    tracing::info!("stopping");
    // The control API first: it holds the server.
    drop(control);
    drop(server);
    ExitCode::SUCCESS
}
