//! The `techval` command: parse arguments, run one command, map errors to exit codes
//! (0 success, 2 user error, 1 internal error).

// mimalloc: measured faster than the system allocator on the portfolio and Monte Carlo
// benchmarks (benches/README.md, issue 11, session 6); the library does not choose one.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(techval::cli::main_entry());
}
