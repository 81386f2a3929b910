//! The `techval` command: parse arguments, run one command, map errors to exit codes
//! (0 success, 2 user error, 1 internal error).

/// jemalloc: see its entry in Cargo.toml for the measured reason.
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: freed pages stay with the process instead of going
/// back to the system after 10 s (its default), since a run is short and a portfolio or market
/// run frees and refills large buffers: `techval bench-market` on 100,000 subjects took 4 s of
/// system time in 1.1 M page faults (measured with /usr/bin/time -v). `_RJEM_MALLOC_CONF` in
/// the environment still overrides it.
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8; 36] = b"dirty_decay_ms:-1,muzzy_decay_ms:-1\0";

fn main() {
    std::process::exit(techval::cli::main_entry());
}
