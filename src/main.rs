//! The `techval` command: parse arguments, run one command, map errors to exit codes
//! (0 success, 2 user error, 1 internal error).

fn main() {
    std::process::exit(techval::cli::main_entry());
}
