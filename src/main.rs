//! The `frontdesk` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    frontdesk::cli::main()
}
